"""Attachments: checked on their content, stored through the storage API, downloaded only through the scoped,
access-logged view, and never part of a PSO record or the PSO store."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse

from analytics.models import Attachment
from practices.models import AccessLog
from reporting.deidentify import deidentify
from reporting.models import StoreRecord, Submission
from reporting.services import submission_push
from review.services import pso_record_for, review_finalize
from tests.factories.analytics import PNG
from tests.factories.review import make_event, ready_event

pytestmark = pytest.mark.django_db(databases=["default", "pso"])
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, event, name, content, **extra):
    url = reverse("analytics:event-attachments", args=[event.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content), "no_identifiers": "on", **extra})


def test_upload_and_download_as_attachment_with_nosniff_and_access_log(client_for, riverside, tmp_path):
    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    assert _upload(client, event, "setup photo.png", PNG).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png" and attachment.original_name == "setup photo.png"
    assert "setup photo" not in attachment.file.name  # stored under a random name
    response = client.get(reverse("analytics:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    assert AccessLog.objects.filter(action="download", object_id=str(attachment.pk)).exists()


@pytest.mark.parametrize(
    "name,content",
    [
        ("photo.png", b"<html><script>alert(1)</script></html>"),  # a name that lies about the content
        ("notes.txt", b"plain text"),
        ("empty.pdf", b""),
    ],
)
def test_upload_checks_the_content_not_the_name(client_for, riverside, name, content):
    event = make_event(agreement=riverside)
    response = _upload(client_for("physicist.riverside"), event, name, content)
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not Attachment.objects.exists()


def test_upload_too_large_and_unconfirmed_are_form_errors(client_for, riverside, settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    response = _upload(client, event, "big.pdf", PDF + b"x" * 100)
    assert "larger than" in str(response.context["form"].errors["file"])
    url = reverse("analytics:event-attachments", args=[event.pk])
    response = client.post(url, {"file": SimpleUploadedFile("a.png", PNG)})
    assert response.context["form"].errors["no_identifiers"]
    assert not Attachment.objects.exists()


def test_attachments_page_shows_the_identifier_reminder(client_for, riverside):
    event = make_event(agreement=riverside)
    body = client_for("physicist.riverside").get(reverse("analytics:event-attachments", args=[event.pk])).content
    assert b"Do not attach anything that identifies a patient" in body


def test_other_practice_and_reporters_get_404(client_for, riverside):
    event = make_event(agreement=riverside)
    _upload(client_for("physicist.riverside"), event, "a.png", PNG)
    attachment = Attachment.objects.get()
    for username in ("physicist.lakeside", "reporter.riverside"):
        client = client_for(username)
        assert client.get(reverse("analytics:attachment-download", args=[attachment.pk])).status_code == 404
        assert client.get(reverse("analytics:event-attachments", args=[event.pk])).status_code == 404
        assert _upload(client, event, "b.png", PNG).status_code == 404
    assert Attachment.objects.count() == 1


def test_attachment_never_reaches_the_pso_record_or_store(client_for, riverside, users):
    physicist = users["physicist.riverside"]
    event = ready_event(agreement=riverside)
    _upload(client_for("physicist.riverside"), event, "wristband-photo-MARKER.png", PNG)
    attachment = Attachment.objects.get()
    event = type(event).objects.get(pk=event.pk)
    record = deidentify(pso_record_for(event))
    assert "MARKER" not in repr(record) and "attach" not in repr(record).lower()
    review_finalize(event=event, by=physicist, confirmed=True)
    assert submission_push(Submission.objects.get()) is True
    stored = model_to_dict(StoreRecord.objects.get())
    assert "MARKER" not in repr(stored) and attachment.file.name not in repr(stored)
    assert "MARKER" not in repr(Submission.objects.get().record)
