"""Writes of local learning (each atomic and audited): treatment volumes, the safety meeting, the locations list."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from events.facts import local_facts_write
from events.models import Event
from practices.audit import audit_record
from practices.models import Coverage
from practices.scoping import user_access
from review.models import Location

from .models import Attachment, MeetingItem, TreatmentVolume


@transaction.atomic
def treatment_volume_set(*, by, coverage: Coverage, month: dt.date, patients_treated: int) -> TreatmentVolume:
    """Enter or correct one location's patients treated in one month (full-access users of its agreement)."""
    if coverage.agreement_id not in user_access(by).manage:
        raise PermissionDenied
    month = month.replace(day=1)
    volume, created = TreatmentVolume.objects.select_for_update().get_or_create(
        agreement_id=coverage.agreement_id, facility_id=coverage.facility_id, month=month,
        defaults={"patients_treated": patients_treated, "updated_by": by},
    )  # fmt: skip
    old = None if created else volume.patients_treated
    if not created:
        volume.patients_treated, volume.updated_by, volume.updated_at = patients_treated, by, timezone.now()
        volume.save(update_fields=["patients_treated", "updated_by", "updated_at"])
    if old != patients_treated:
        audit_record(
            actor=by,
            action="treatment_volume_set",
            obj=volume,
            agreement=coverage.agreement,
            changes={"month": month.isoformat(), "patients_treated": [old, patients_treated]},
        )
    return volume


def _require_reviewer(by, event) -> None:
    if event.agreement_id not in user_access(by).manage:
        raise PermissionDenied


@transaction.atomic
def meeting_flag(*, event, by) -> MeetingItem:
    """Put an event on the next safety meeting's agenda (once: an open item is returned as it is)."""
    _require_reviewer(by, event)
    item = MeetingItem.objects.select_for_update().filter(event=event, discussed_at__isnull=True).first()
    if item is None:
        item = MeetingItem.objects.create(event=event, flagged_by=by)
        audit_record(actor=by, action="meeting_flagged", obj=event, agreement=event.agreement)
    return item


@transaction.atomic
def meeting_unflag(*, item: MeetingItem, by) -> None:
    """Take an event off the agenda before it was discussed."""
    _require_reviewer(by, item.event)
    if item.discussed_at is not None:
        raise ValidationError("This event was already discussed; its minutes are kept.")
    audit_record(actor=by, action="meeting_unflagged", obj=item.event, agreement=item.event.agreement)
    item.delete()


@transaction.atomic
def meeting_discussed(*, item: MeetingItem, by, minutes: str) -> MeetingItem:
    """Record that the meeting discussed the event, with its minutes (kept in the practice only)."""
    _require_reviewer(by, item.event)
    locked = MeetingItem.objects.select_for_update().get(pk=item.pk)
    old = locked.minutes
    locked.minutes = minutes.strip()
    if locked.discussed_at is None:
        locked.discussed_at, locked.discussed_by = timezone.now(), by
    locked.save(update_fields=["minutes", "discussed_at", "discussed_by"])
    audit_record(actor=by, action="meeting_discussed", obj=locked.event, agreement=locked.event.agreement,
                 changes={"minutes": [old, locked.minutes]})  # fmt: skip
    return locked


@transaction.atomic
def location_add(*, agreement, by, name: str) -> Location:
    """Add a place to the practice's list of locations (full-access users of an agreement in force)."""
    if agreement.pk not in user_access(by).manage:
        raise PermissionDenied
    name = " ".join(name.split())
    if Location.objects.filter(agreement=agreement, name__iexact=name).exists():
        raise ValidationError({"name": "That location is already on the list."})
    location = Location.objects.create(agreement=agreement, name=name)
    audit_record(actor=by, action="location_added", obj=location, agreement=agreement, changes={"name": name})
    return location


@transaction.atomic
def location_set_active(*, location: Location, by, active: bool) -> Location:
    """Retire a location from the list (answers that name it keep it) or bring it back."""
    if location.agreement_id not in user_access(by).manage:
        raise PermissionDenied
    if location.is_active != active:
        location.is_active = active
        location.save(update_fields=["is_active"])
        audit_record(actor=by, action="location_changed", obj=location, agreement=location.agreement,
                     changes={"is_active": [not active, active]})  # fmt: skip
    return location


@transaction.atomic
def attachment_add(*, event, by, upload) -> Attachment:
    """Keep a file with an event after checking its size and, from its content, its type (audited)."""
    from django.conf import settings

    from .attachments import ALLOWED_LABEL, sniff

    _require_reviewer(by, event)
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": f"The file is larger than {settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB."})
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ValidationError({"file": f"Only {ALLOWED_LABEL} can be attached (checked on the content)."})
    name = (upload.name or "attachment").replace("/", "_").replace("\\", "_")[:200]
    attachment = Attachment(event=event, original_name=name, content_type=kind[0], size=upload.size, uploaded_by=by)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit_record(actor=by, action="attachment_added", obj=event, agreement=event.agreement,
                 changes={"attachment": [None, name]})  # fmt: skip
    return attachment


def local_facts_rebuild(*, agreement_ids: list[int] | None = None, batch_size: int = 2000) -> int:
    """Rewrite the local facts of every event (or those of some agreements) from the events and their reviews.

    For `manage.py rebuild_local_facts` and bulk loads that bypass the services; each batch is replaced in one
    transaction, so a dashboard read meanwhile never misses a batch's events. Returns the number of facts written.
    """
    events = Event.objects.all()
    if agreement_ids is not None:
        events = events.filter(agreement_id__in=agreement_ids)
    written, last = 0, 0
    while True:
        batch = list(events.filter(pk__gt=last).select_related("review").order_by("pk")[:batch_size])
        if not batch:
            return written
        last = batch[-1].pk
        with transaction.atomic():
            written += local_facts_write(((event, getattr(event, "review", None)) for event in batch),
                                         batch_size=batch_size)  # fmt: skip
