"""Pages of the dashboards: PSO analyst aggregate and drill-down, practice benchmark, participation, themes."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView

from practices.scoping import RoleRequiredMixin, ScopedViewMixin

from . import dashboards as d
from .forms import PracticeDashboardForm, PSODashboardFilterForm, ThemeForm
from .models import StoreRecord, Theme
from .participation import participation_for
from .rollups import TOTAL, severity_band
from .themes import theme_create, theme_list_for, theme_psos_for, theme_update

RECORDS_PER_PAGE = 25


def _csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _chart(breakdown: d.Breakdown, *, benchmark: bool = False) -> dict:
    """Chart.js-ready data for one breakdown; long taxonomies chart their most frequent values."""
    rows = breakdown.rows
    if len(rows) > d.TOP_N_CHART:
        rows = sorted(rows, key=lambda r: r.n, reverse=True)[: d.TOP_N_CHART]
    if benchmark:
        datasets = [
            {"label": "Your practice (%)", "data": [r.percent for r in rows]},
            {"label": "All participants (%)", "data": [r.benchmark for r in rows]},
        ]
    else:
        datasets = [{"label": "Events", "data": [r.n for r in rows]}]
    return {"labels": [r.label for r in rows], "datasets": datasets, "horizontal": True,
            "unit": "%" if benchmark else ""}  # fmt: skip


class PSOMemberRequiredMixin(RoleRequiredMixin):
    """Signed in, and staff or analyst of at least one PSO; anyone else gets a 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (self.access.pso_staff or self.access.pso_analyst):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


# --- PSO analyst ---------------------------------------------------------------------------------------


class _AnalystMixin(RoleRequiredMixin):
    """The analyst's PSO (from ?pso=, default the first) and the filter form over its quarters."""

    required_capability = "is_pso_analyst"

    @cached_property
    def psos(self):
        return d.analyst_psos(self.request.user)

    @cached_property
    def pso(self):
        wanted = self.request.GET.get("pso", "")
        return next((p for p in self.psos if str(p.pk) == wanted), self.psos[0])

    @cached_property
    def filter_form(self) -> PSODashboardFilterForm:
        data = self.request.GET.copy()
        data["pso"] = str(self.pso.pk)
        return PSODashboardFilterForm(data, psos=self.psos, quarters=d.store_quarters(self.pso.pk))

    @cached_property
    def filters(self) -> d.DashboardFilters:
        return self.filter_form.filters()

    def query_string(self, **extra) -> str:
        from django.utils.http import urlencode

        return urlencode({"pso": self.pso.pk, **self.filters.as_query(), **extra})


class PSODashboardView(_AnalystMixin, TemplateView):
    """The PSO analyst's aggregate dashboard: totals, trend and every breakdown, filterable; CSV per breakdown."""

    template_name = "reporting/pso_dashboard.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv(request.GET.get("dimension", ""))
        return super().get(request, *args, **kwargs)

    def csv(self, dimension: str) -> HttpResponse:
        if dimension == "trend":
            trend = d.pso_trend(pso_id=self.pso.pk, filters=self.filters)
            header = ["quarter", *[s["label"] for s in trend["series"]], "total"]
            rows = [
                [q, *[s["data"][i] for s in trend["series"]], trend["totals"][i]]
                for i, q in enumerate(trend["quarters"])
            ]
            return _csv_response("trend.csv", header, rows)
        total, breakdowns = d.pso_breakdowns(pso_id=self.pso.pk, filters=self.filters)
        breakdown = next((b for b in breakdowns if b.key == dimension), None)
        if breakdown is None:
            raise Http404
        rows = [[r.value, r.label, r.n, r.percent] for r in breakdown.rows]
        return _csv_response(f"{dimension}.csv", ["code", breakdown.title, "events", "percent of events"], rows)

    def get_context_data(self, **kwargs):
        total, breakdowns = d.pso_breakdowns(pso_id=self.pso.pk, filters=self.filters)
        trend = d.pso_trend(pso_id=self.pso.pk, filters=self.filters)
        charts = {b.key: _chart(b) for b in breakdowns}
        charts["trend"] = {
            "labels": [f"{q[:4]} Q{q[5]}" for q in trend["quarters"]],
            "datasets": [{"label": s["label"], "data": s["data"]} for s in trend["series"]],
            "stacked": True,
        }
        trend_rows = [
            {"quarter": f"{q[:4]} Q{q[5]}", "counts": [s["data"][i] for s in trend["series"]],
             "total": trend["totals"][i]}
            for i, q in enumerate(trend["quarters"])
        ]
        return super().get_context_data(
            pso=self.pso, form=self.filter_form, filters=self.filters, total=total, breakdowns=breakdowns,
            trend=trend, trend_rows=trend_rows, charts=charts, query=self.query_string(),
            record_list_url=reverse("reporting:record-list"), **kwargs,
        )  # fmt: skip


class _KnownCountPaginator(Paginator):
    """A paginator told its count (from the rollups), so paging never runs COUNT(*) over the store."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class RecordListView(_AnalystMixin, ListView):
    """Drill-down: the de-identified records behind the filters (and one breakdown cell), with their narratives."""

    template_name = "reporting/storerecord_list.html"
    context_object_name = "records"
    paginate_by = RECORDS_PER_PAGE

    @cached_property
    def cell(self) -> tuple[str, str]:
        dimension, value = self.request.GET.get("dimension", ""), self.request.GET.get("value", "")
        if dimension not in d.DIMENSIONS or len(value) > 64:
            return "", ""
        return dimension, value

    @cached_property
    def page_data(self):
        dimension, value = self.cell
        return d.record_page(
            user=self.request.user, pso_id=self.pso.pk, filters=self.filters, dimension=dimension, value=value
        )

    def get_queryset(self):
        return self.page_data[0]

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return _KnownCountPaginator(queryset, per_page, count=self.page_data[1], orphans=orphans)

    def get_context_data(self, **kwargs):
        dimension, value = self.cell
        cell = None
        if dimension and dimension != TOTAL:
            info = d.DIMENSIONS[dimension]
            cell = {"title": info.title, "label": info.label(value)}
        context = super().get_context_data(
            pso=self.pso, form=self.filter_form, filters=self.filters, cell=cell, total=self.page_data[1],
            dashboard_query=self.query_string(), **kwargs,
        )  # fmt: skip
        dims = d.DIMENSIONS
        for record in context["records"]:
            record.display = {
                "classification": dims["classification"].label(record.classification),
                "techniques": [dims["technique"].label(t) for t in record.techniques],
                "harm": dims["harm"].label(record.harm),
            }
        return context


class RecordDetailView(RoleRequiredMixin, DetailView):
    """One de-identified record of the analyst's PSO; any other record is a 404."""

    required_capability = "is_pso_analyst"
    model = StoreRecord  # for the tenancy matrix; the queryset below is the scoped one
    template_name = "reporting/storerecord_detail.html"
    context_object_name = "record"

    def get_queryset(self):
        return d.store_records_for(self.request.user)

    def get_context_data(self, **kwargs):
        from foundation.taxonomy.events import AgeRange, PatientSex, ReporterRole
        from foundation.taxonomy.review import (
            CORRECTIVE_ACTIONS,
            AmelioratingAction,
            PatientsAffected,
            effectiveness,
            label_for,
        )

        record = self.object
        labels = d.DIMENSIONS

        def many(key, codes):
            return [labels[key].label(code) for code in codes]

        def choice(choices, code):
            return dict(choices.choices).get(code, code) if code else "—"

        tiers = {"high": "most effective", "moderate": "moderately effective", "low": "least effective"}
        return super().get_context_data(
            classification=labels["classification"].label(record.classification),
            techniques=many("technique", record.techniques),
            workflow_origin=labels["workflow_origin"].label(record.workflow_origin),
            workflow_detected=labels["workflow_detected"].label(record.workflow_detected),
            workflow_noticed=labels["workflow_origin"].label(record.workflow_noticed),
            problem_type=labels["problem_type"].label(record.problem_type),
            secondary=many("problem_type", record.problem_types_secondary),
            harm=labels["harm"].label(record.harm),
            factors=many("cf_item", record.contributing_factors),
            barriers_failed=many("barrier_failed", record.barriers_failed),
            barriers_caught=many("barrier_caught", record.barriers_caught),
            corrective_actions=[
                (label_for(CORRECTIVE_ACTIONS, code), tiers.get(effectiveness(code) or "", ""))
                for code in record.corrective_actions
            ],
            ameliorating_actions=[choice(AmelioratingAction, code) for code in record.ameliorating_actions],
            patients_affected=choice(PatientsAffected, record.patients_affected),
            age_range=choice(AgeRange, record.age_range),
            sex=choice(PatientSex, record.sex),
            reporter_role=choice(ReporterRole, record.reporter_role),
            severity_band=d.SEVERITY_LABELS[severity_band(record.medical_severity)],
            **kwargs,
        )


# --- Practice dashboard ----------------------------------------------------------------------------------


class PracticeDashboardView(RoleRequiredMixin, TemplateView):
    """A practice's own breakdowns (all locations or one) beside the PSO-wide shares, small cells suppressed."""

    required_capability = "is_full_access"
    template_name = "reporting/practice_dashboard.html"

    @cached_property
    def scopes(self) -> list[d.PracticeScope]:
        scopes = d.practice_scopes(self.request.user)
        if not scopes:
            raise Http404
        return scopes

    @cached_property
    def scope(self) -> d.PracticeScope:
        wanted = self.request.GET.get("agreement", "")
        return next((s for s in self.scopes if str(s.agreement.pk) == wanted), self.scopes[0])

    @cached_property
    def form(self) -> PracticeDashboardForm:
        data = self.request.GET.copy()
        data["agreement"] = str(self.scope.agreement.pk)
        periods = d.benchmark_periods(self.scope.pso_id)
        return PracticeDashboardForm(data, scopes=self.scopes, scope=self.scope, periods=periods)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv(request.GET.get("dimension", ""))
        return super().get(request, *args, **kwargs)

    def csv(self, dimension: str) -> HttpResponse:
        _total, breakdowns = d.practice_breakdowns(self.scope, self.form.filters())
        breakdown = next((b for b in breakdowns if b.key == dimension), None)
        if breakdown is None:
            raise Http404
        rows = [
            [r.value, r.label, r.n, r.percent, "suppressed" if r.benchmark is None else r.benchmark]
            for r in breakdown.rows
        ]
        header = ["code", breakdown.title, "your events", "your percent", "all participants percent"]
        return _csv_response(f"{dimension}.csv", header, rows)

    def get_context_data(self, **kwargs):
        from django.utils.http import urlencode

        filters = self.form.filters()
        total, breakdowns = d.practice_breakdowns(self.scope, filters)
        trend = d.practice_trend(self.scope, filters)
        charts = {b.key: _chart(b, benchmark=True) for b in breakdowns}
        charts["trend"] = {
            "labels": [f"{q[:4]} Q{q[5]}" for q in trend["quarters"]],
            "datasets": [{"label": "Your events", "data": trend["totals"]}],
        }
        facility_name = dict(self.scope.facilities).get(filters.facility, "")
        query = urlencode({"agreement": self.scope.agreement.pk, "period": filters.window,
                           "facility": filters.facility})  # fmt: skip
        return super().get_context_data(
            scope=self.scope, form=self.form, filters=filters, total=total, breakdowns=breakdowns, charts=charts,
            trend=trend, trend_rows=list(zip(charts["trend"]["labels"], trend["totals"], strict=True)),
            period=d.period_label(filters.window), facility_name=facility_name, query=query,
            min_practices=d.MIN_PRACTICES, **kwargs,
        )  # fmt: skip


# --- Participation (PSO staff) ------------------------------------------------------------------------


class ParticipationView(RoleRequiredMixin, TemplateView):
    """Events reported per agreement per quarter and time since the last report; counts only."""

    required_capability = "is_pso_staff"
    template_name = "reporting/participation.html"

    def get_context_data(self, **kwargs):
        table = participation_for(self.request.user)
        table["quarter_labels"] = [f"{q[:4]} Q{q[5]}" for q in table["quarters"]]
        return super().get_context_data(**table, **kwargs)


# --- Themes ----------------------------------------------------------------------------------------------


class ThemeListView(ScopedViewMixin, ListView):
    """The themes of the user's PSOs (drafts too, for the PSO's staff and analysts)."""

    model = Theme
    action = "view"
    template_name = "reporting/theme_list.html"
    context_object_name = "themes"
    paginate_by = 20

    def get_queryset(self):
        return theme_list_for(self.request.user)

    def get_context_data(self, **kwargs):
        can_publish = bool(self.access.pso_staff or self.access.pso_analyst)
        return super().get_context_data(can_publish=can_publish, **kwargs)


class ThemeDetailView(ScopedViewMixin, DetailView):
    """One theme; out of scope (another PSO's, or a draft for a practice user) is a 404."""

    model = Theme
    action = "view"
    template_name = "reporting/theme_detail.html"
    context_object_name = "theme"

    def get_queryset(self):
        return super().get_queryset().select_related("pso", "author")

    def get_context_data(self, **kwargs):
        can_edit = self.object.pso_id in (self.access.pso_staff | self.access.pso_analyst)
        labels = dict(c for _group, items in ThemeForm.base_fields["categories"].choices for c in items)
        categories = [labels.get(code, code) for code in self.object.categories]
        return super().get_context_data(can_edit=can_edit, categories=categories, **kwargs)


class ThemeCreateView(PSOMemberRequiredMixin, CreateView):
    """PSO staff or analysts write a theme for their PSO."""

    model = Theme
    form_class = ThemeForm
    template_name = "reporting/theme_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "psos": theme_psos_for(self.request.user)}

    def form_valid(self, form):
        publish = form.cleaned_data["publish"]
        theme = theme_create(by=self.request.user, pso=form.cleaned_data["pso"], data=form.service_data(),
                             publish=publish)  # fmt: skip
        messages.success(self.request, "Theme published." if publish else "Draft saved.")
        return redirect("reporting:theme-detail", pk=theme.pk)


class ThemeUpdateView(ScopedViewMixin, UpdateView):
    """Edit a theme of one's own PSO (staff or analyst); any other theme is a 404."""

    model = Theme
    action = "manage"
    form_class = ThemeForm
    template_name = "reporting/theme_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "psos": theme_psos_for(self.request.user)}

    def form_valid(self, form):
        publish = form.cleaned_data["publish"]
        theme_update(by=self.request.user, theme=self.object, data=form.service_data(), publish=publish)
        messages.success(self.request, "Theme saved.")
        return redirect("reporting:theme-detail", pk=self.object.pk)
