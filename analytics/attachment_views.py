"""Attachments of an event (full-access users): the list and upload form, and the scoped, access-logged download."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView

from events.models import Event
from foundation.downloads import stored_file_download
from foundation.forms import Form
from practices.audit import access_log_record
from practices.scoping import ScopedViewMixin

from .attachments import ALLOWED_LABEL
from .models import Attachment
from .services import attachment_add


class AttachmentForm(Form):
    """One file, and the reviewer's word that it shows no patient identifier."""

    file = forms.FileField(label="File", help_text=f"{ALLOWED_LABEL}, up to 10 MB.")
    no_identifiers = forms.BooleanField(
        label="This file shows no patient identifiers (names, record numbers, dates of birth, faces, wristbands).",
        error_messages={"required": "Confirm that the file shows no patient identifier, or crop it first."},
    )


class EventAttachmentsView(ScopedViewMixin, DetailView):
    """An event's attachments: kept in the practice only, never sent to the PSO."""

    model = Event
    action = "review"
    required_capability = "is_full_access"
    template_name = "analytics/attachment_list.html"
    context_object_name = "event"

    def refine(self, queryset):
        return queryset.select_related("facility")

    def get_context_data(self, **kwargs):
        attachments = self.object.attachments.select_related("uploaded_by")
        return super().get_context_data(attachments=list(attachments), form=kwargs.pop("form", AttachmentForm()),
                                        **kwargs)  # fmt: skip

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment_add(event=event, by=request.user, upload=form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", exc.message_dict.get("file", exc.messages))
            else:
                messages.success(request, "File attached.")
                return redirect(reverse("analytics:event-attachments", args=[event.pk]))
        return self.render_to_response(self.get_context_data(form=form))


class AttachmentDownloadView(ScopedViewMixin, DetailView):
    """The file as a download (never shown inline, never sniffed), after an access-log row."""

    model = Attachment
    action = "review"
    required_capability = "is_full_access"

    def refine(self, queryset):
        return queryset.select_related("event")

    def get(self, request, *args, **kwargs):
        attachment = self.get_object()
        response = stored_file_download(attachment.file, filename=attachment.original_name,
                                        content_type=attachment.content_type)  # fmt: skip
        access_log_record(request=request, action="download", user=request.user,
                          agreement_ids=[attachment.event.agreement_id], obj=attachment,
                          label=f"{attachment.event.reference}: {attachment.original_name}")  # fmt: skip
        return response
