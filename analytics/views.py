"""Local learning pages (full-access users): the local dashboard, its cross-table drill-down, treatment volumes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import ListView, TemplateView

from events.models import Event, LocalFact
from practices.scoping import ScopedViewMixin
from reporting.views.charts import csv_response
from review.selectors import queue_facility_choices

from . import tables as t
from .forms import CellForm, LocalFilterForm, TreatmentVolumeForm
from .models import TreatmentVolume
from .selectors import local_analytics, volume_coverages
from .services import treatment_volume_set


class LocalMixin(ScopedViewMixin):
    """The events of every agreement the user reviews; anyone without full access gets 404."""

    model = Event
    action = "review"
    required_capability = "is_full_access"

    @cached_property
    def facilities(self) -> list[tuple[int, str]]:
        return queue_facility_choices(self.request.user)

    def query(self, filters) -> str:
        return urlencode({"facility": filters.facility_id or "", "date_from": filters.date_from.isoformat(),
                          "date_to": filters.date_to.isoformat()})  # fmt: skip


class LocalDashboardView(LocalMixin, TemplateView):
    """Every event of the practice (not only those reported to the PSO): charts, table views and CSV.

    Grouped over the events' local facts (one narrow row per event, same agreement scope as the events)."""

    model = LocalFact
    template_name = "analytics/local_dashboard.html"

    def get(self, request, *args, **kwargs):
        self.form = LocalFilterForm(request.GET or None, facilities=self.facilities)
        self.filters = self.form.filters()
        self.data = local_analytics(
            self.get_queryset(), user=request.user, filters=self.filters, facilities=dict(self.facilities)
        )
        self.tables = t.tables(self.data)
        if request.GET.get("format") == "csv":
            table = self.tables.get(request.GET.get("table", ""))
            if table is None:
                raise Http404
            return csv_response(f"local-{table.key}.csv", table.header, table.rows)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        facility_name = dict(self.facilities).get(self.filters.facility_id, "")
        return super().get_context_data(
            form=self.form, filters=self.filters, stats=t.stats(self.data), tables=self.tables,
            crosstab=t.crosstab(self.data), charts=t.charts(self.tables), query=self.query(self.filters),
            facility_name=facility_name, has_volumes=bool(self.data.volumes), **kwargs,
        )  # fmt: skip


class CellEventsView(LocalMixin, ListView):
    """The events of one cross-table cell (where they originated and where they were detected)."""

    template_name = "analytics/cell_events.html"
    context_object_name = "events"
    paginate_by = 50

    def refine(self, queryset):
        from .selectors import cell_events

        self.form = CellForm(self.request.GET, facilities=self.facilities)
        self.filters = self.form.filters()
        if not self.form.is_valid():
            return queryset.none()
        data = self.form.cleaned_data
        return cell_events(queryset, self.filters, origin=data["origin"], detected=data["detected"])

    def get_context_data(self, **kwargs):
        ok = self.form.is_valid()
        return super().get_context_data(
            form=self.form, filters=self.filters, query=self.query(self.filters),
            origin=t.STEP_LABELS.get(self.form.cleaned_data.get("origin"), "") if ok else "",
            detected=t.STEP_LABELS.get(self.form.cleaned_data.get("detected"), "") if ok else "",
            facility_name=dict(self.facilities).get(self.filters.facility_id, ""), **kwargs,
        )  # fmt: skip


class TreatmentVolumeView(ScopedViewMixin, ListView):
    """Monthly patients treated per location (the denominator of reports per 100 patients); enter or correct one."""

    model = TreatmentVolume
    action = "review"
    required_capability = "is_full_access"
    template_name = "analytics/treatmentvolume_list.html"
    context_object_name = "volumes"
    paginate_by = 36

    def refine(self, queryset):
        return queryset.select_related("facility", "agreement")

    @cached_property
    def coverages(self) -> dict:
        return {c.pk: c for c in volume_coverages(self.request.user)}

    def coverage_choices(self) -> list[tuple[int, str]]:
        names = [c.facility.name for c in self.coverages.values()]
        return [(pk, c.facility.name if names.count(c.facility.name) == 1 else f"{c.facility.name} ({c.agreement})")
                for pk, c in self.coverages.items()]  # fmt: skip

    def get(self, request, *args, **kwargs):
        self.form = TreatmentVolumeForm(coverages=self.coverage_choices())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.form = TreatmentVolumeForm(request.POST, coverages=self.coverage_choices())
        if self.form.is_valid():
            data = self.form.cleaned_data
            try:
                treatment_volume_set(by=request.user, coverage=self.coverages[data["coverage"]], month=data["month"],
                                     patients_treated=data["patients_treated"])  # fmt: skip
            except ValidationError as exc:
                self.form.add_error(None, exc)
            else:
                messages.success(request, "Treatment volume saved.")
                return redirect(reverse("analytics:treatmentvolume-list"))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)
