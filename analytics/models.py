"""Local learning: monthly treatment volumes (for report rates) and the safety meeting's agenda."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practices.models import Agreement, Facility
from practices.scoping import ScopedQuerySet


class TreatmentVolume(models.Model):
    """Patients treated at one location in one month, as the practice enters it (reports per 100 patients)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="treatment_volumes")
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="treatment_volumes")
    month = models.DateField(help_text=_("The first day of the month."))
    patients_treated = models.PositiveIntegerField(validators=[MaxValueValidator(1_000_000)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "agreement"
    reporter_visible = False

    class Meta:
        ordering = ["-month", "facility__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "facility", "month"], name="treatment_volume_unique"),
        ]

    def __str__(self):
        return f"{self.facility_id} {self.month:%Y-%m}: {self.patients_treated}"


class MeetingItem(models.Model):
    """An event flagged for the practice's safety meeting; once discussed, it keeps the minutes (never sent)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="meeting_items")
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    flagged_at = models.DateTimeField(default=timezone.now)
    discussed_at = models.DateTimeField(null=True, blank=True)
    discussed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes = models.TextField(max_length=4000, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "event__agreement"
    reporter_visible = False

    class Meta:
        ordering = ["flagged_at", "id"]
        constraints = [
            # One open (not yet discussed) item per event: flagging twice is a no-op.
            models.UniqueConstraint(fields=["event"], condition=models.Q(discussed_at__isnull=True),
                                    name="meeting_item_one_open_per_event"),
        ]  # fmt: skip

    def __str__(self):
        return f"Meeting item for {self.event_id}"


def attachment_path(instance, filename: str) -> str:
    """Where a file is stored: per agreement, under a random name (the name given is kept only in the row)."""
    import uuid

    return f"attachments/{instance.event.agreement_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A photo, screenshot or document kept with an event, in the practice only: never part of a PSO record."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)  # from the content's magic bytes, never from the upload
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    tenant_path = "event__agreement"
    reporter_visible = False

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
