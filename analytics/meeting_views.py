"""The safety meeting (full-access users): flag events, the agenda, minutes, the printable packet and event page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView
from django.views.generic.detail import SingleObjectMixin

from events.models import Event
from foundation.forms import Form
from practices.audit import access_log_record
from practices.scoping import ScopedViewMixin
from review.models import ActionItem

from .models import MeetingItem
from .packet import packet_page
from .services import meeting_discussed, meeting_flag, meeting_unflag

PACKET_RELATED = ("event__facility", "event__review")


class MinutesForm(Form):
    """What the meeting concluded about one event."""

    minutes = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="Minutes",
        help_text="Kept in the practice; never sent to the PSO. No patient identifiers.",
    )  # fmt: skip


class MeetingMixin(ScopedViewMixin):
    """Meeting items of the agreements the user reviews; anyone else gets 404."""

    model = MeetingItem
    action = "review"
    required_capability = "is_full_access"


def _packet_prefetch(prefix: str = "") -> list:
    return [f"{prefix}techniques",
            Prefetch(f"{prefix}action_items", queryset=ActionItem.objects.order_by("number"))]  # fmt: skip


class MeetingAgendaView(MeetingMixin, ListView):
    """The next meeting's agenda (events flagged and not yet discussed), with a minutes form for each."""

    template_name = "analytics/meeting_agenda.html"
    context_object_name = "items"

    def refine(self, queryset):
        return queryset.filter(discussed_at__isnull=True).select_related(
            "event__facility", "event__review", "flagged_by"
        )

    def get_context_data(self, **kwargs):
        recent = (MeetingItem.objects.for_user(self.request.user, action="review").filter(discussed_at__isnull=False)
                  .select_related("event", "discussed_by").order_by("-discussed_at")[:20])  # fmt: skip
        return super().get_context_data(recent=list(recent), minutes_form=MinutesForm(), **kwargs)


class MeetingPacketView(MeetingMixin, ListView):
    """The agenda's events, one printed page each; de-identified unless `identified=1` (access-logged)."""

    template_name = "analytics/meeting_packet.html"
    context_object_name = "items"

    @property
    def identified(self) -> bool:
        return self.request.GET.get("identified") == "1"

    def refine(self, queryset):
        return (queryset.filter(discussed_at__isnull=True).select_related(*PACKET_RELATED)
                .prefetch_related(*_packet_prefetch("event__")))  # fmt: skip

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        items = list(ctx["items"])
        if self.identified and items:
            access_log_record(request=self.request, action="view", user=self.request.user,
                              agreement_ids=sorted({i.event.agreement_id for i in items}),
                              label="meeting packet, narratives as written")  # fmt: skip
        ctx.update(pages=[packet_page(i.event, identified=self.identified) for i in items],
                   identified=self.identified)  # fmt: skip
        return ctx


class EventPrintView(ScopedViewMixin, DetailView):
    """One event's page as the packet prints it (de-identified unless `identified=1`, access-logged)."""

    model = Event
    action = "review"
    required_capability = "is_full_access"
    template_name = "analytics/meeting_packet.html"

    def refine(self, queryset):
        return queryset.select_related("facility", "review").prefetch_related(*_packet_prefetch())

    def get_context_data(self, **kwargs):
        identified = self.request.GET.get("identified") == "1"
        access_log_record(request=self.request, action="view", user=self.request.user,
                          agreement_ids=[self.object.agreement_id], obj=self.object,
                          label=f"{self.object.reference} (print{', as written' if identified else ''})")  # fmt: skip
        return super().get_context_data(pages=[packet_page(self.object, identified=identified)],
                                        identified=identified, single=True, **kwargs)  # fmt: skip


class MeetingFlagView(ScopedViewMixin, SingleObjectMixin, View):
    """Flag an event for the next meeting (from the event page)."""

    model = Event
    action = "review"
    required_capability = "is_full_access"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        event = self.get_object()
        meeting_flag(event=event, by=request.user)
        messages.success(request, f"{event.reference} is on the next safety meeting's agenda.")
        return redirect(reverse("review:event-detail", args=[event.pk]))


class MeetingItemUnflagView(MeetingMixin, SingleObjectMixin, View):
    """Take an event off the agenda."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        item = self.get_object()
        try:
            meeting_unflag(item=item, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{item.event.reference} was taken off the agenda.")
        return redirect(reverse("analytics:meeting-agenda"))


class MeetingItemDiscussedView(MeetingMixin, SingleObjectMixin, View):
    """Mark an agenda item discussed, with the meeting's minutes."""

    http_method_names = ["post"]

    def refine(self, queryset):
        return queryset.select_related("event")

    def post(self, request, *args, **kwargs):
        item = self.get_object()
        form = MinutesForm(request.POST)
        if form.is_valid():
            meeting_discussed(item=item, by=request.user, minutes=form.cleaned_data["minutes"])
            messages.success(request, f"{item.event.reference}: discussed, minutes saved.")
        else:
            messages.error(request, f"{item.event.reference}: write the minutes (up to 4,000 characters).")
        return redirect(reverse("analytics:meeting-agenda"))
