"""Pages of the events app: Submit Event, its confirmation, My submissions, and the form's helpers."""

from __future__ import annotations

import json
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django_ratelimit.decorators import ratelimit

from foundation.scrubber import find_identifiers
from practices.scoping import RoleRequiredMixin, ScopedViewMixin

from . import receipts
from .conversation import follow_up_link_issue
from .forms import OLD_EVENT_YEARS, EventForm, describe_findings, years_ago
from .models import NARRATIVE_MAX_LENGTH, Event
from .selectors import confirmation_events, draft_for, events_submitted_by
from .services import draft_discard, draft_save, event_submit

DRAFT_BODY_MAX = 64_000  # bytes of a draft autosave request
CHECK_TEXT_MAX = NARRATIVE_MAX_LENGTH * 2  # the live identifier check never scans more than this


def draft_storage_key(user) -> str:
    """The browser's localStorage key of a user's draft (per login, so two named users never mix)."""
    return f"roils.eventDraft.u{user.pk}"


# A busy clinic files a few reports an hour; these limits only stop scripts and runaway clients.
@method_decorator(ratelimit(key="user", rate="30/m", method="POST", block=True), name="post")
@method_decorator(ratelimit(key="ip", rate="120/m", method="POST", block=True), name="post")
class EventCreateView(RoleRequiredMixin, FormView):
    """Submit Event: the form, the privacy guard, and the hand-over to `event_submit`."""

    required_capability = "is_practice_user"
    form_class = EventForm
    template_name = "events/event_create.html"
    scoped_reads = (draft_for,)  # and EventForm, given the user, offers only the coverages it may submit for

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        if self.request.method == "GET":
            draft = draft_for(user=self.request.user)
            if draft is not None:
                kwargs["initial"] = {k: v for k, v in draft.data.get("fields", {}).items() if v not in ("", None)}
                self.server_draft = draft
        return kwargs

    def post(self, request, *args, **kwargs):
        if not self.access.can_submit:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            event = event_submit(by=self.request.user, data=data, idempotency_key=data["idempotency_key"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error("coverage", "Choose one of your facilities from the list.")
            return self.form_invalid(form)
        if event.submitted_by_id is None:  # anonymous: only this session's receipt links it to the reporter
            receipts.record(self.request, event_id=event.pk)
        return redirect(f"{reverse('events:event-done', args=[event.pk])}?submitted=1")

    def form_invalid(self, form):
        if "idempotency_key" in form.errors:
            # A missing or mangled key: issue a fresh one so the next submit goes through.
            form.data = form.data.copy()
            form.data["idempotency_key"] = str(uuid.uuid4())
            del form.errors["idempotency_key"]
            form.add_error(None, "The form was incomplete. Check your answers and submit again.")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = context["form"]
        draft = getattr(self, "server_draft", None)
        context.update(
            can_submit=self.access.can_submit,
            ended_agreements=not self.access.can_submit and bool(self.access.roles),
            shared_login=user.is_shared_login,
            restored_from_server=draft is not None,
            draft_retention_days=settings.DRAFT_RETENTION_DAYS,
            error_links=_error_links(form),
            config={
                "storageKey": draft_storage_key(user),
                "shared": bool(user.is_shared_login),
                "bound": form.is_bound,
                "draftUrl": reverse("events:event-draft"),
                "checkUrl": reverse("events:event-check-narrative"),
                "serverSavedAt": (draft.data.get("saved_at") if draft else None),
                "draftMaxAgeMs": settings.DRAFT_RETENTION_DAYS * 24 * 3600 * 1000,
                "maxLength": NARRATIVE_MAX_LENGTH,
                "oldDateLimit": _old_date_limit(),
            },
        )
        return context


# Where the error summary jumps to: the first input of a group, or the block that explains the error.
ERROR_ANCHORS = {
    "coverage": "id_coverage_0",
    "classification": "id_classification_0",
    "techniques": "id_techniques_0",
    "confirm_no_identifiers": "identifier-warning",
    "confirm_old_date": "id_event_date",
}


def _error_links(form) -> list[dict]:
    if not form.is_bound:
        return []
    links = [{"label": "", "message": m, "anchor": "event-form"} for m in form.non_field_errors()]
    for name, field in form.fields.items():
        if name in form.errors:
            message = form.errors[name][0]
            anchor = ERROR_ANCHORS.get(name, f"id_{name}")
            if name == "coverage" and not isinstance(field.widget, forms.RadioSelect):
                anchor = "id_coverage"
            label = "" if name == "confirm_no_identifiers" else field.label
            links.append({"label": label, "message": message, "anchor": anchor})
    return links


def _old_date_limit() -> str:
    return years_ago(timezone.localdate(), OLD_EVENT_YEARS).isoformat()


class EventDoneView(ScopedViewMixin, DetailView):
    """The confirmation: reference number and what happens next (scoped; anonymous ones via this session)."""

    model = Event
    action = "confirm"
    template_name = "events/event_done.html"
    context_object_name = "event"

    def get(self, request, *args, **kwargs):
        self.receipt = receipts.read(request)
        event = self.object = self.get_object()
        theirs = event.submitted_by_id == request.user.pk or event.pk in self.receipt
        just_submitted = theirs and request.GET.get("submitted") == "1"
        confirmation = {"reference": event.reference, "facility": event.facility.name,
                        "pso": event.agreement.pso.name, "created_at": event.created_at,
                        "anonymous": event.is_anonymous}
        # The browser's saved draft goes only if it is the draft of this very report (same idempotency key), so
        # a reload, or a later visit while another report is being written, never discards anyone's work.
        config = {"storageKey": draft_storage_key(request.user), "submittedKey": str(event.idempotency_key)}
        context = {"confirmation": confirmation, "config": config if theirs else {}, "view": self,
                   "just_submitted": just_submitted}
        follow_up_url = None
        if just_submitted and event.is_anonymous:
            # The anonymous reporter's private link back, made and shown once (only its hash is stored): a reload
            # finds the link made and shows none.
            token = follow_up_link_issue(event_id=event.pk)
            follow_up_url = request.build_absolute_uri(reverse("events:follow-up", args=[token])) if token else None
        if follow_up_url:
            context["follow_up_url"] = follow_up_url
            context["config"] = {**config, "followUp": {"url": follow_up_url, "reference": event.reference}}
        response = self.render_to_response(context)
        if follow_up_url:
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "same-origin"
        return response

    def refine(self, queryset):
        # Only what the page shows: the narrative and the rest of two wide rows are not read here.
        return confirmation_events(queryset, user=self.request.user, just_submitted=self.receipt).only(
            "reference", "created_at", "is_anonymous", "submitted_by_id", "idempotency_key", "facility__name",
            "agreement__pso__name",
        )


class EventMineView(ScopedViewMixin, ListView):
    """My submissions: the events the user reported under their own name, newest first."""

    model = Event
    action = "view"
    template_name = "events/event_mine.html"
    context_object_name = "events"
    paginate_by = 20

    def refine(self, queryset):
        return events_submitted_by(queryset, user=self.request.user)


class DraftView(RoleRequiredMixin, View):
    """GET returns the user's server-side draft as JSON; POST replaces it; DELETE discards it."""

    required_capability = "can_submit"
    scoped_reads = (draft_for,)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_shared_login:
            return JsonResponse({"saved": False, "reason": "Shared logins keep drafts in this browser only."},
                                status=404)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        draft = draft_for(user=request.user)
        if draft is None:
            return JsonResponse({"fields": None, "saved_at": None})
        return JsonResponse({"fields": draft.data.get("fields", {}), "saved_at": draft.data.get("saved_at")})

    def post(self, request):
        if len(request.body) > DRAFT_BODY_MAX:
            return JsonResponse({"saved": False, "reason": "too large"}, status=413)
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return JsonResponse({"saved": False, "reason": "not JSON"}, status=400)
        if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
            return JsonResponse({"saved": False, "reason": "expected {fields: {...}}"}, status=400)
        draft = draft_save(user=request.user, data=payload["fields"], saved_at=payload.get("saved_at"))
        return JsonResponse({"saved": draft is not None, "saved_at": draft.data["saved_at"] if draft else None})

    def delete(self, request):
        draft_discard(user=request.user)
        return JsonResponse({"saved": False, "discarded": True})


class NarrativeCheckView(RoleRequiredMixin, View):
    """The live privacy check while typing: an HTML fragment listing what looks like an identifier."""

    required_capability = "can_submit"
    scoped_reads = ()  # the text posted, nothing stored

    def post(self, request):
        text = request.POST.get("narrative", "")[:CHECK_TEXT_MAX]
        findings = describe_findings(find_identifiers(text))
        return render(request, "events/_identifier_warning.html", {"findings": findings, "live": True})

    def get(self, request):
        return HttpResponseNotAllowed(["POST"])
