"""Pages of work handed to one login: My work, an action's progress and verification, evidence, investigators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView, ListView

from events.conversation import feedback_share, follow_up_ask
from foundation.downloads import stored_file_download
from practices.audit import access_log_record
from practices.models import Agreement
from practices.scoping import ScopedViewMixin

from .forms import AskForm, DeadlinePolicyForm, FeedbackForm, InvestigatorForm, ProgressForm, VerifyForm
from .models import ActionItem, ActionUpdate
from .selectors import action_updates, actions_owned, investigations_of
from .services import action_item_verify, action_progress_add, investigator_assign, investigator_withdraw
from .services.deadlines import deadline_policy_of, deadline_policy_set
from .views import EventDetailView, ReviewerMixin, _add_errors, _errors


class MyWorkView(ScopedViewMixin, ListView):
    """My work: the actions the user owns and the events they were asked to investigate."""

    model = ActionItem
    action = "own"
    template_name = "review/my_work.html"
    context_object_name = "actions"
    paginate_by = 50

    def refine(self, queryset):
        return actions_owned(queryset, user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["investigations"] = investigations_of(user=self.request.user)
        return ctx


class ActionWorkView(ScopedViewMixin, DetailView):
    """One action for its owner (and the agreement's reviewers): progress notes, evidence, done, verification."""

    model = ActionItem
    action = "own"
    template_name = "review/action_work.html"
    context_object_name = "item"

    def refine(self, queryset):
        return queryset.select_related("event__facility", "owner", "completed_by", "verified_by")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_page()

    def post(self, request, *args, **kwargs):
        self.object = item = self.get_object()
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                action_progress_add(
                    item=item,
                    by=request.user,
                    note=data["note"],
                    evidence=data["evidence"],
                    mark_done=data["mark_done"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Action marked done." if data["mark_done"] else "Progress saved.")
                return redirect(reverse("review:action-work", args=[item.pk]))
        return self.render_page(progress_form=form)

    def render_page(self, **overrides):
        item = self.object
        is_reviewer = item.event.agreement_id in self.access.full
        ctx = self.get_context_data(
            object=item,
            updates=action_updates(item),
            progress_form=overrides.get("progress_form") or ProgressForm(),
            verify_form=overrides.get("verify_form") or VerifyForm(),
            is_reviewer=is_reviewer,
            can_verify=is_reviewer and item.status == "done" and not item.is_closed,
        )
        return self.render_to_response(ctx)


class ActionVerifyView(ActionWorkView):
    """A full-access user's verdict on a done action: effective or not, which closes it."""

    action = "review"
    required_capability = "is_full_access"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = item = self.get_object()
        form = VerifyForm(request.POST)
        if form.is_valid():
            try:
                action_item_verify(
                    item=item,
                    by=request.user,
                    verification=form.cleaned_data["verification"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
                messages.error(request, "Not verified: " + " ".join(_errors(exc)))
            else:
                messages.success(request, f"Action {item.number} verified and closed.")
                return redirect(reverse("review:action-work", args=[item.pk]))
        return self.render_page(verify_form=form)


class EvidenceView(ScopedViewMixin, DetailView):
    """An evidence file, to the action's owner and the agreement's reviewers, always as a download."""

    model = ActionUpdate
    action = "own"

    def refine(self, queryset):
        return queryset.select_related("item__event")

    def get(self, request, *args, **kwargs):
        update = self.get_object()
        response = stored_file_download(update.evidence, filename=update.evidence_name or "evidence",
                                        content_type=update.evidence_type)  # fmt: skip
        access_log_record(request=request, action="download", user=request.user,
                          agreement_ids=[update.item.event.agreement_id], obj=update,
                          label=f"{update.item.event.reference}: evidence of action {update.item.number}")
        return response


class InvestigatorAssignView(EventDetailView):
    """Assign, reassign or withdraw the event's investigator (full-access users only)."""

    action = "review"
    required_capability = "is_full_access"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        try:
            if request.POST.get("withdraw"):
                withdrawn = investigator_withdraw(event=event, by=request.user)
                messages.success(
                    request,
                    f"{withdrawn.user} no longer investigates this event."
                    if withdrawn
                    else "Nobody was investigating this event.",
                )
                return redirect(self.event_url(event) + "#investigator")
            form = InvestigatorForm(request.POST, event=event, user=request.user)
            if form.is_valid():
                assignment = investigator_assign(event=event, by=request.user, user=form.cleaned_data["user"])
                messages.success(request, f"{assignment.user} was asked to investigate this event.")
                return redirect(self.event_url(event) + "#investigator")
        except ValidationError as exc:
            form = InvestigatorForm(request.POST, event=event, user=request.user)
            form.is_valid()
            _add_errors(form, exc)
        messages.error(request, "The investigator was not changed: please correct the field marked below.")
        return self.render_page(investigator_form=form)


__all__ = [
    "ActionVerifyView",
    "DeadlinePolicyView",
    "FeedbackShareView",
    "FollowUpAskView",
    "ActionWorkView",
    "EvidenceView",
    "InvestigatorAssignView",
    "MyWorkView",
    "ReviewerMixin",
]


class FollowUpAskView(EventDetailView):
    """A question to the reporter from a reviewer or the event's investigator (the status is left as it is)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        form = AskForm(request.POST)
        if form.is_valid():
            try:
                follow_up_ask(event=event, by=request.user, body=form.cleaned_data["body"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Your message was sent to the reporter.")
                return redirect(self.event_url(event) + "#conversation")
        messages.error(request, "The message was not sent: please correct the field marked below.")
        return self.render_page(ask_form=form)


class FeedbackShareView(EventDetailView):
    """What the reporter is shown once the review is finished (full-access users)."""

    action = "review"
    required_capability = "is_full_access"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                feedback_share(event=event, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Saved: the reporter sees it once the review is finished.")
                return redirect(self.event_url(event) + "#conversation")
        messages.error(request, "Not saved: please correct the fields marked below.")
        return self.render_page(feedback_form=form)


class DeadlinePolicyView(ScopedViewMixin, DetailView):
    """A practice agreement's review deadlines, weekend days and holidays (its full-access users)."""

    model = Agreement
    action = "manage"
    required_capability = "is_full_access"
    template_name = "review/deadline_policy.html"
    context_object_name = "agreement"

    def get(self, request, *args, **kwargs):
        self.object = agreement = self.get_object()
        return self.render_page(DeadlinePolicyForm(instance=deadline_policy_of(agreement)))

    def post(self, request, *args, **kwargs):
        self.object = agreement = self.get_object()
        form = DeadlinePolicyForm(request.POST, instance=deadline_policy_of(agreement))
        if form.is_valid():
            data = {
                **{k: form.cleaned_data[k] for k in form.Meta.fields},
                "weekend_days": form.cleaned_data["weekend"],
                "holidays": form.cleaned_data["holiday_dates"],
            }
            try:
                deadline_policy_set(agreement=agreement, by=request.user, data=data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Deadlines saved.")
                return redirect(reverse("review:deadline-policy", args=[agreement.pk]))
        return self.render_page(form)

    def render_page(self, form):
        return self.render_to_response(self.get_context_data(object=self.object, form=form))
