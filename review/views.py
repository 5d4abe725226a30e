"""Pages of My Review about one event: the event page (full-access users and the event's investigator), its actions,
status changes and the report to the PSO. The queue is in queue_views."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, UpdateView

from events.conversation import can_reach_reporter, conversation_of
from events.models import Event, EventFeedback
from foundation.taxonomy.events import ALLOWED_TRANSITIONS, OPEN_STATUSES, EventStatus
from practices.audit import access_log_view_once
from practices.scoping import ScopedViewMixin
from reporting.deidentify import deidentify

from . import display, rules
from .answers import review_answers
from .display import STATUS_BADGES
from .forms import (
    ActionItemUpdateForm,
    AskForm,
    FeedbackForm,
    InvestigatorForm,
    NewActionForm,
    ReportForm,
    ReviewForm,
    TransitionForm,
)
from .models import ActionItem, Review
from .selectors import (
    audit_trail,
    duplicate_reference,
    event_page_queryset,
    owner_candidates,
    similar_events,
)
from .services import (
    AUDIT_ACTIONS,
    ReviewConflict,
    action_item_add,
    action_item_update,
    event_transition,
    label,
    live_investigator,
    missing_for_report,
    pso_record_for,
    review_finalize,
    review_save,
    review_values,
)

S = EventStatus
# Buttons for the plain transitions; invalid and duplicate have their own small forms.
TRANSITION_BUTTONS = {
    S.IN_REVIEW: ("Start review", "btn-primary"),
    S.AWAITING_INFO: ("Awaiting information", "btn-outline-secondary"),
    S.READY_TO_REPORT: ("Mark ready to report", "btn-success"),
    S.CLOSED: ("Close", "btn-outline-secondary"),
}
REOPEN_LABEL = "Reopen (new revision)"


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ReviewerMixin(ScopedViewMixin):
    """Events in the user's review scope: full-access users of the event's agreement, anyone else gets 404."""

    model = Event
    action = "review"
    required_capability = "is_full_access"


class EventDetailView(ReviewerMixin, DetailView):
    """The event page: the report as submitted, the review form, actions, status changes and the trail.

    Its investigator sees it too, without the status changes, the report to the PSO and other events.
    """

    action = "investigate"
    required_capability = None
    template_name = "review/event_detail.html"
    context_object_name = "event"
    names_pso = False  # only the report preview shows the PSO: one join fewer on every other event page

    def refine(self, queryset):
        return event_page_queryset(queryset, with_pso=self.names_pso)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        access_log_view_once(request=request, obj=self.object, agreement_id=self.object.agreement_id,
                             label=self.object.reference)
        return self.render_page()

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        if event.status not in OPEN_STATUSES:
            # The page shows the saved answers and no form; the service would refuse the change under its lock too.
            messages.error(request, f"The review was not saved: this event is “{S(event.status).label}”. Reopen it "
                                    "(back to in review) to change its review.")
            return redirect(self.event_url(event) + "#review")
        review = getattr(event, "review", None) or Review(event=event)
        # The form checks a copy: a ModelForm writes what was posted into its instance while validating, and the
        # rest of the page (heading, "still needed", regulatory hint) must show the saved review, not a refused post.
        form = ReviewForm(request.POST, instance=copy.copy(review), event=event)
        if not form.is_valid():
            messages.error(request, "The review was not saved: please correct the fields marked below.")
            return self.render_page(review_form=form)
        try:
            review_save(review=review, by=request.user, data=form.service_data(),
                        expected_version=form.cleaned_data["expected_version"])
        except ReviewConflict as exc:
            return self.render_page(review_form=form, conflict=str(exc))
        except ValidationError as exc:
            _add_errors(form, exc)
            messages.error(request, "The review was not saved: " + " ".join(_errors(exc)))
            return self.render_page(review_form=form)
        messages.success(request, "Review saved.")
        return redirect(self.event_url(event) + "#review")

    @staticmethod
    def event_url(event: Event) -> str:
        return reverse("review:event-detail", args=[event.pk])

    def render_page(self, **overrides):
        event, user = self.object, self.request.user
        is_reviewer = event.agreement_id in self.access.full
        review = getattr(event, "review", None)
        values = review_values(review)
        editable = event.status in OPEN_STATUSES
        allowed = ALLOWED_TRANSITIONS.get(event.status, frozenset())
        buttons = []
        for target in () if not is_reviewer else (S.IN_REVIEW, S.AWAITING_INFO, S.READY_TO_REPORT, S.CLOSED):
            if target in allowed:
                text, style = TRANSITION_BUTTONS[target]
                if target == S.IN_REVIEW and event.status != S.NEW:
                    reopen = event.status in (S.REPORTED, S.RECEIVED, S.CLOSED)
                    text = REOPEN_LABEL if reopen else "Back to in review"
                    style = "btn-outline-secondary" if reopen else style
                if target == S.CLOSED and event.status in (S.REPORTED, S.RECEIVED):
                    style = "btn-primary"  # once reported, closing is the next step; reopening is the exception
                buttons.append({"to": target, "text": text, "style": style})
        buttons.sort(key=lambda b: b["style"] != "btn-primary" and b["style"] != "btn-success")
        missing = missing_for_report(event)
        # An event that cannot be edited shows its saved answers, whatever was posted (a refused post included).
        form = overrides.get("review_form") if editable else None
        if form is None:
            form = ReviewForm(instance=review or Review(event=event), event=event)
        # Sections open as the answers on the page say: the saved ones, or those of a refused post.
        classification, equipment = form["classification"].value(), form["equipment_related"].value()
        applies = rules.Applies.to(classification or event.classification)
        source = bool(rules.SOURCE_TECHNIQUES & set(event.technique_values))
        show = {"reached": applies.reached_patient, "dose": applies.dose_related, "near_miss": applies.near_miss,
                "equipment": bool(equipment), "caught": applies.caught, "risk": applies.risk_scored, "source": source}
        criteria = rules.regulatory_criteria(event.classification, values)
        # A full-access user's two forms offer the same people (actions' owners, the investigator): one queryset,
        # built and read once, for both.
        owners = owner_candidates(event.agreement_id, user=user) if is_reviewer else None
        similar = similar_events(event, user=user) if is_reviewer else []
        ctx = self.get_context_data(
            object=event,
            review=review,
            review_form=form,
            answers=None if editable else review_answers(form),
            show=show,
            # Posted or blank; an investigator (no review scope on memberships) picks among the agreement's logins.
            action_form=overrides.get("action_form") or NewActionForm(event=event, user=user if is_reviewer else None,
                                                                      owners=owners, can_invite=is_reviewer),
            # Only a refused status change has errors to show; the forms themselves are plain HTML.
            transition_errors=overrides["transition_form"].errors if "transition_form" in overrides else {},
            conflict=overrides.get("conflict"),
            editable=editable,
            buttons=buttons,
            can_invalidate=is_reviewer and S.INVALID in allowed,
            can_duplicate=is_reviewer and S.DUPLICATE in allowed,
            can_report=is_reviewer and event.status == S.READY_TO_REPORT,
            is_reviewer=is_reviewer,
            investigator=live_investigator(event),
            deadlines=display.event_deadlines(event=event, review=review,
                                              rules=display.deadline_rules({event.agreement_id})[event.agreement_id]),
            conversation=conversation_of(event),
            can_ask=can_reach_reporter(event),
            ask_form=overrides.get("ask_form") or AskForm(),
            feedback_form=overrides.get("feedback_form") or (
                FeedbackForm(instance=EventFeedback.objects.filter(event=event).first(),
                             initial={"lessons": review.lessons_learned if review else ""}) if is_reviewer else None),
            investigator_form=overrides.get("investigator_form") or (
                InvestigatorForm(event=event, user=user, owners=owners) if is_reviewer else None),
            missing=[label(name) for name in missing],
            criteria=criteria,
            possibly_reportable=rules.possibly_reportable(event.classification, values),
            reporter=None if event.is_anonymous else (event.reporter_name or (
                str(event.submitted_by) if event.submitted_by_id else "")),
            audit=audit_trail(event, own_actions=AUDIT_ACTIONS),
            similar=similar,
            # What "Mark as duplicate" suggests: the similar earlier events (the likeliest originals); any reference
            # of the agreement can be typed.
            duplicate_choices=[s.reference for s in similar],
            action_items=list(event.action_items.all()),
            status_badge=STATUS_BADGES[event.status],
            duplicate_of_reference=duplicate_reference(event) if event.status == S.DUPLICATE else "",
            applies={"reached": sorted(rules.REACHED_PATIENT), "dose": sorted(rules.DOSE_RELATED),
                     "near_miss": sorted(rules.NEAR_MISS), "caught": sorted(rules.CAUGHT),
                     "risk": sorted(rules.RISK_SCORED), "source": source},
            today=timezone.localdate(),
        )
        return self.render_to_response(ctx)


class ActionItemCreateView(EventDetailView):
    """Add a corrective or preventive action from the event page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        is_reviewer = event.agreement_id in self.access.full
        form = NewActionForm(request.POST, event=event, user=request.user if is_reviewer else None,
                             can_invite=is_reviewer)
        if form.is_valid():
            data = form.cleaned_data
            try:
                action_item_add(event=event, by=request.user, action_type=data["action_type"],
                                description=data["description"], owner=data["owner"], due_date=data["due_date"],
                                new_owner=(data.get("new_owner_name"), data.get("new_owner_email"))
                                if data.get("owner") is None else None)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Action added.")
                return redirect(self.event_url(event) + "#actions")
        messages.error(request, "The action was not added: please correct the fields marked below.")
        return self.render_page(action_form=form)


class EventTransitionView(EventDetailView):
    """Change the event's status; anything the lifecycle does not allow is refused and changes nothing."""

    action = "review"
    required_capability = "is_full_access"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        form = TransitionForm(request.POST, event=event, user=request.user)
        if not form.is_valid():
            messages.error(request, "The status was not changed: " + " ".join(
                str(e) for errors in form.errors.values() for e in errors))
            return self.render_page(transition_form=form)
        data = form.cleaned_data
        try:
            event = event_transition(event=event, by=request.user, to=data["to"], reason=data["reason"],
                                     duplicate_of=data["duplicate_of"],
                                     expected_status=data["expected_status"] or None)
        except ValidationError as exc:
            _add_errors(form, exc)
            messages.error(request, "The status was not changed: " + " ".join(_errors(exc)))
            return self.render_page(transition_form=form)
        messages.success(request, f"Status changed to '{event.get_status_display()}'.")
        return redirect(self.event_url(event))


class EventReportView(EventDetailView):
    """Report to the PSO: preview exactly the de-identified record, confirm, send."""

    action = "review"
    required_capability = "is_full_access"
    template_name = "review/event_report.html"
    names_pso = True  # the preview says which PSO receives the record

    def get(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        if event.status != S.READY_TO_REPORT:
            messages.error(request, f"Only an event that is ready to report can be reported to the PSO; this one "
                                    f"is '{event.get_status_display()}'.")
            return redirect(self.event_url(event))
        return self.render_preview(ReportForm())

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                event = review_finalize(event=event, by=request.user, confirmed=form.cleaned_data["confirmed"])
            except ValidationError as exc:
                messages.error(request, "Not reported: " + " ".join(_errors(exc)))
                if event.status != S.READY_TO_REPORT:
                    return redirect(self.event_url(event))
                _add_errors(form, exc)
            else:
                messages.success(request, f"Revision {event.revision} reported to the PSO. The record is in the "
                                          f"outbox and is delivered automatically.")
                return redirect(self.event_url(event))
        if event.status != S.READY_TO_REPORT:
            return redirect(self.event_url(event))
        return self.render_preview(form)

    def render_preview(self, form):
        event = self.object
        record = deidentify(pso_record_for(event))
        ctx = self.get_context_data(
            object=event, form=form, record=record,
            record_rows=display.record_rows(record, pso_name=str(event.agreement.pso)),
            narrative=display.highlighted(record["narrative"]),
            lessons=display.highlighted(record["lessons_learned"]),
            missing=[label(name) for name in missing_for_report(event)],
        )
        return self.render_to_response(ctx)


class ActionItemUpdateView(ScopedViewMixin, UpdateView):
    """Progress on one action item (status, what was done) or a change of owner or due date."""

    model = ActionItem
    action = "review"
    required_capability = "is_full_access"
    form_class = ActionItemUpdateForm
    template_name = "review/actionitem_update.html"
    context_object_name = "item"

    def refine(self, queryset):
        return queryset.select_related("event__facility", "event__agreement", "owner")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "event": self.object.event, "user": self.request.user}

    def form_valid(self, form):
        try:
            action_item_update(item=self.object, by=self.request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Action {self.object.number} updated.")
        return redirect(reverse("review:event-detail", args=[self.object.event_id]) + "#actions")
