"""Pages of My Review's queue (full-access users): every event of their agreements, filtered, searched and
sorted, and its exports."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from foundation.taxonomy.events import EventStatus
from practices.audit import access_log_record
from practices.models import Agreement

from . import display
from .display import STATUS_BADGES
from .exports import queue_export
from .filters import OPEN, OPEN_FOR_FILTER, QueueFilter
from .selectors import facility_breakdown, queue_columns, status_counts
from .views import ReviewerMixin

S = EventStatus


class QueueView(ReviewerMixin, ListView):
    """Every event of the user's agreements, filtered, searched, sorted and paginated."""

    template_name = "review/event_queue.html"
    context_object_name = "events"
    paginate_by = 25

    def refine(self, queryset):
        self.filterset = QueueFilter(self.request.GET or None, queryset=queryset, request=self.request)
        qs = self.filterset.qs
        if not self.request.GET.get("ordering"):
            qs = qs.order_by("-rank", "-created_at", "-id") if "rank" in qs.query.annotations else qs.order_by(
                "-created_at", "-id"
            )
        if self.per_location:
            qs = qs.order_by("facility__name", *qs.query.order_by)
        # The status tabs count every status under the other filters, which also gives the paginator its count.
        self.counts = status_counts(self.filterset.without("status"))
        return qs

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        paginator = super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        paginator.count = self.matching()  # a cached_property: no COUNT(*) of its own
        return paginator

    def matching(self) -> int:
        """How many events the status filter leaves, from the per-status counts."""
        status = self.filterset.form.cleaned_data.get("status") if self.filterset.is_bound else None
        if status == OPEN:
            return sum(self.counts[value] for value in OPEN_FOR_FILTER)
        return self.counts[status] if status else self.counts["total"]

    @property
    def per_location(self) -> bool:
        return self.request.GET.get("view") == "location"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        facilities, counts = self.filterset.facility_choices, self.counts
        rows = display.queue_rows(ctx["events"], per_location=self.per_location)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(
            rows=rows,
            filter=self.filterset,
            counts=[(value, text, counts.get(value, 0), STATUS_BADGES[value]) for value, text in S.choices],
            total=counts["total"],
            multi_facility=len(facilities) > 1,
            per_location=self.per_location,
            breakdown=facility_breakdown(self.filterset.qs) if self.per_location else None,
            query=params.urlencode(),
            query_without_status=_without(params, "status"),
            query_without_view=_without(params, "view"),
            current_status=self.request.GET.get("status", ""),
            filtering=any(v for k, v in self.request.GET.items() if k not in ("page", "view", "status", "ordering")),
            deadline_agreements=list(Agreement.objects.for_user(self.request.user, action="manage")
                                     .select_related("practice").only("reference", "practice__name")),
        )
        return ctx


def _without(params, name: str) -> str:
    params = params.copy()
    params.pop(name, None)
    return params.urlencode()


class QueueExportView(ReviewerMixin, View):
    """The filtered queue as CSV or XLSX (audited)."""

    url_kwarg_examples = {"fmt": "csv"}
    formats = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def get(self, request, fmt: str):
        if fmt not in self.formats:
            raise Http404
        filterset = QueueFilter(request.GET or None, queryset=queue_columns(self.get_queryset()), request=request)
        queryset = filterset.qs.order_by("facility__name", "-created_at", "-id")
        full_text = request.GET.get("full") == "1"  # narratives as written, only when asked for explicitly
        content = queue_export(queryset=queryset, by=request.user, fmt=fmt, query=request.GET.urlencode(),
                               full_text=full_text)
        access_log_record(request=request, action="export", user=request.user,
                          agreement_ids=sorted(set(queryset.values_list("agreement_id", flat=True))),
                          label=f"review queue ({fmt.upper()}{', full text' if full_text else ''})")
        response = HttpResponse(content, content_type=self.formats[fmt])
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="review-queue-{stamp}.{fmt}"'
        return response
