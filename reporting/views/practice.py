"""A practice's dashboard: its own breakdowns beside the PSO-wide shares (full-access users)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from practices.scoping import RoleRequiredMixin

from .. import dashboards as d
from ..forms import PracticeDashboardForm
from .charts import chart_data, csv_response


class PracticeDashboardView(RoleRequiredMixin, TemplateView):
    """A practice's own breakdowns (all locations or one) beside the PSO-wide shares, small cells suppressed."""

    required_capability = "is_full_access"
    template_name = "reporting/practice_dashboard.html"
    # Its rollup reads start from these scopes (the agreements the user reviews), never from an id in the request.
    scoped_reads = (d.practice_scopes,)

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
        return csv_response(f"{dimension}.csv", header, rows)

    def get_context_data(self, **kwargs):
        from django.utils.http import urlencode

        filters = self.form.filters()
        total, breakdowns = d.practice_breakdowns(self.scope, filters)
        trend = d.practice_trend(self.scope, filters)
        charts = {b.key: chart_data(b, benchmark=True) for b in breakdowns}
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
