"""The reporter's side of the follow-up conversation: from My submissions, or through an anonymous follow-up link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.generic import DetailView
from django_ratelimit.decorators import ratelimit

from practices.scoping import ScopedViewMixin

from .conversation import conversation_of, follow_up_answer
from .forms import FollowUpForm
from .models import Event
from .selectors import events_submitted_by, feedback_for


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ConversationMixin:
    """Shows an event's progress, its conversation and what the reviewers shared; posts the reporter's answer."""

    template_name = "events/event_conversation.html"
    context_object_name = "event"

    def answering_user(self):
        return self.request.user

    def page_url(self) -> str:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_page(FollowUpForm())

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                follow_up_answer(event=event, body=form.cleaned_data["body"], by=self.answering_user())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Thank you: your answer was sent to the reviewers.")
                return redirect(self.page_url())
        return self.render_page(form)

    def render_page(self, form):
        event = self.object
        ctx = self.get_context_data(
            object=event,
            form=form,
            conversation=conversation_of(event),
            feedback=feedback_for(event),
            page_url=self.page_url(),
        )
        return self.render_to_response(ctx)


class EventConversationView(ConversationMixin, ScopedViewMixin, DetailView):
    """A named reporter's report: its progress, the reviewers' questions and their answers, what was learned."""

    model = Event
    action = "view"

    def refine(self, queryset):
        return events_submitted_by(queryset, user=self.request.user)

    def page_url(self) -> str:
        return reverse("events:event-conversation", args=[self.object.pk])


@method_decorator(ratelimit(key="ip", rate="30/m", method="POST", block=True), name="post")
class FollowUpLinkView(ConversationMixin, DetailView):
    """An anonymous reporter's follow-up link: their one event's conversation, without signing in.

    Whoever holds the link is never identified: their answer is stored without an author, and no access-log row
    names them. A link of one event opens nothing else (ScopedQuerySet.for_link).
    """

    scoping_exempt = "Opened by the secret of a follow-up link (only its hash is stored), never by a login."
    model = Event

    def get_object(self, queryset=None):
        event = Event.objects.for_link(self.kwargs["token"]).select_related("facility").first()
        if event is None:
            raise Http404
        return event

    def answering_user(self):
        return None

    def page_url(self) -> str:
        return reverse("events:follow-up", args=[self.kwargs["token"]])

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"  # the secret is in the address: never sent to another site
        response["Cache-Control"] = "no-store"
        return response
