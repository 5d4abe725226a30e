"""The PSO analyst's pages: the aggregate dashboard, the drill-down to records, and one record."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, TemplateView, View

from practices.scoping import RoleRequiredMixin, ScopedViewMixin

from .. import coding, search
from .. import dashboards as d
from ..forms import (
    PSODashboardFilterForm,
    RecordNoteForm,
    RecordQuestionForm,
    RecordSearchForm,
    RecordTagForm,
    SavedSearchForm,
)
from ..models import StoreRecord
from ..queries import queries_for_record
from ..rollups import TOTAL, severity_band
from .charts import chart_data, csv_response

RECORDS_PER_PAGE = 25


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
        quarters = d.store_quarters(user=self.request.user, pso_id=self.pso.pk)
        return PSODashboardFilterForm(data, psos=self.psos, quarters=quarters)

    @cached_property
    def filters(self) -> d.DashboardFilters:
        return self.filter_form.filters()

    def query_string(self, **extra) -> str:
        from django.utils.http import urlencode

        return urlencode({"pso": self.pso.pk, **self.filters.as_query(), **extra})


class PSODashboardView(_AnalystMixin, TemplateView):
    """The PSO analyst's aggregate dashboard: totals, trend and every breakdown, filterable; CSV per breakdown."""

    template_name = "reporting/pso_dashboard.html"
    scoped_reads = (d.analyst_psos, d.store_quarters, d.pso_breakdowns, d.pso_trend)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv(request.GET.get("dimension", ""))
        return super().get(request, *args, **kwargs)

    def csv(self, dimension: str) -> HttpResponse:
        if dimension == "trend":
            trend = d.pso_trend(user=self.request.user, pso_id=self.pso.pk, filters=self.filters)
            header = ["quarter", *[s["label"] for s in trend["series"]], "total"]
            rows = [
                [q, *[s["data"][i] for s in trend["series"]], trend["totals"][i]]
                for i, q in enumerate(trend["quarters"])
            ]
            return csv_response("trend.csv", header, rows)
        total, breakdowns = d.pso_breakdowns(user=self.request.user, pso_id=self.pso.pk, filters=self.filters)
        breakdown = next((b for b in breakdowns if b.key == dimension), None)
        if breakdown is None:
            raise Http404
        rows = [[r.value, r.label, r.n, r.percent] for r in breakdown.rows]
        return csv_response(f"{dimension}.csv", ["code", breakdown.title, "events", "percent of events"], rows)

    def get_context_data(self, **kwargs):
        total, breakdowns = d.pso_breakdowns(user=self.request.user, pso_id=self.pso.pk, filters=self.filters)
        trend = d.pso_trend(user=self.request.user, pso_id=self.pso.pk, filters=self.filters)
        charts = {b.key: chart_data(b) for b in breakdowns}
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


class RecordListView(_AnalystMixin, ScopedViewMixin, ListView):
    """Drill-down and search: the de-identified records behind the filters (and one breakdown cell) or matching
    the search words, with their narratives; the same set as CSV or XLSX (`?format=csv|xlsx`)."""

    model = StoreRecord
    action = "analyse"
    template_name = "reporting/storerecord_list.html"
    context_object_name = "records"
    paginate_by = RECORDS_PER_PAGE
    export_formats = {  # format -> (rows or records, writer, content type); see docs/pso-data-dictionary.md
        "csv": (search.export_rows, search.to_csv, "text/csv; charset=utf-8"),
        "xlsx": (search.export_rows, search.to_xlsx,
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "jsonl": (search.export_records, search.to_jsonl, "application/x-ndjson; charset=utf-8"),
    }  # fmt: skip

    @cached_property
    def filter_form(self) -> RecordSearchForm:
        data = self.request.GET.copy()
        data["pso"] = str(self.pso.pk)
        quarters = d.store_quarters(user=self.request.user, pso_id=self.pso.pk)
        return RecordSearchForm(data, psos=self.psos, quarters=quarters)

    @cached_property
    def search_text(self) -> str:
        return self.filter_form.search_text()

    @cached_property
    def tag(self) -> str:
        return self.filter_form.tag_label()

    def query_string(self, **extra) -> str:
        found = {name: value for name, value in (("q", self.search_text), ("tag", self.tag)) if value}
        return super().query_string(**found, **extra)

    def get(self, request, *args, **kwargs):
        export = self.export_formats.get(request.GET.get("format", ""))
        if export is None:
            return super().get(request, *args, **kwargs)
        read, write, content_type = export
        response = HttpResponse(write(read(self.get_queryset())), content_type=content_type)
        extension = request.GET["format"]
        response["Content-Disposition"] = f'attachment; filename="pso-records.{extension}"'
        return response

    @cached_property
    def cell(self) -> tuple[str, str]:
        dimension, value = self.request.GET.get("dimension", ""), self.request.GET.get("value", "")
        if dimension not in d.DIMENSIONS or len(value) > 64:
            return "", ""
        return dimension, value

    @cached_property
    def total(self) -> int | None:
        """The rollups' count of the drill-down; None for a search or a tag (the paginator counts those once)."""
        if self.search_text or self.tag:
            return None
        dimension, value = self.cell
        return d.record_count(user=self.request.user, pso_id=self.pso.pk, filters=self.filters, dimension=dimension,
                              value=value)

    def refine(self, queryset):
        dimension, value = self.cell
        queryset = d.records_matching(
            queryset, pso_id=self.pso.pk, filters=self.filters, dimension=dimension, value=value
        )
        queryset = coding.record_tag_filter(queryset, pso_id=self.pso.pk, label=self.tag)
        return search.records_search(queryset, self.search_text).prefetch_related("tags")

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if self.total is None:
            return super().get_paginator(queryset, per_page, orphans=orphans)
        return _KnownCountPaginator(queryset, per_page, count=self.total, orphans=orphans)

    def get_context_data(self, **kwargs):
        dimension, value = self.cell
        cell = None
        if dimension and dimension != TOTAL:
            info = d.DIMENSIONS[dimension]
            cell = {"title": info.title, "label": info.label(value)}
        context = super().get_context_data(
            pso=self.pso, form=self.filter_form, filters=self.filters, cell=cell, search_text=self.search_text,
            dashboard_query=self.query_string(), export_query=self.export_query(), **kwargs,
        )  # fmt: skip
        context["total"] = self.total if self.total is not None else context["paginator"].count
        context["saved_searches"] = list(coding.saved_searches(user=self.request.user, pso_id=self.pso.pk))
        context["save_form"] = SavedSearchForm(
            initial={"query": self.export_query(), "pso": self.pso.pk}, psos=[self.pso]
        )
        dims = d.DIMENSIONS
        for record in context["records"]:
            record.display = {
                "classification": dims["classification"].label(record.classification),
                "techniques": [dims["technique"].label(t) for t in record.techniques],
                "harm": dims["harm"].label(record.harm),
            }
        return context


    def export_query(self) -> str:
        dimension, value = self.cell
        return self.query_string(**({"dimension": dimension, "value": value} if dimension else {}))


class DataDictionaryView(RoleRequiredMixin, View):
    """The data dictionary of the record exports (docs/pso-data-dictionary.md), for the PSO's analysts."""

    required_capability = "is_pso_analyst"
    scoped_reads = ()  # documentation: no tenant data

    def get(self, request, *args, **kwargs):
        path = Path(settings.BASE_DIR) / "docs" / "pso-data-dictionary.md"
        return HttpResponse(path.read_bytes(), content_type="text/markdown; charset=utf-8")


class RecordDetailView(ScopedViewMixin, DetailView):
    """One de-identified record of the analyst's PSO; any other record is a 404."""

    model = StoreRecord
    action = "analyse"
    required_capability = "is_pso_analyst"
    template_name = "reporting/storerecord_detail.html"
    context_object_name = "record"

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
        kwargs.update(tags=list(record.tags.all()), notes=list(record.notes.all()), tag_form=RecordTagForm(),
                      note_form=RecordNoteForm(), question_form=RecordQuestionForm(),
                      questions=list(queries_for_record(user=self.request.user, record=record)))  # fmt: skip

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
