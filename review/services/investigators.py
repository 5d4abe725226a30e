"""Investigators: a full-access user asks one login of the agreement to investigate one event, or withdraws it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from foundation.mail import mail_after_commit
from practices.audit import audit_record
from practices.models import wants_work_mail
from practices.scoping import user_access

from ..models import Investigator
from ..selectors import owner_candidates
from .common import lock_event, require_reviewer


def require_investigating(by, event: Event) -> None:
    """A full-access user of the event's agreement in force, or its live investigator (read from the database)."""
    if event.agreement_id in user_access(by).full:
        require_reviewer(by, event)
        return
    if not Event.objects.for_user(by, action="investigate").filter(pk=event.pk).exists():
        raise PermissionDenied


def live_investigator(event: Event) -> Investigator | None:
    """The event's current investigator, if any."""
    return Investigator.objects.filter(event=event, withdrawn_at__isnull=True).select_related("user").first()


@transaction.atomic
def investigator_assign(*, event: Event, by, user) -> Investigator:
    """Ask `user` (a named, active login of the event's agreement) to investigate; replaces a live investigator."""
    require_reviewer(by, event)
    locked = lock_event(event)
    if user is None or not owner_candidates(locked.agreement_id).filter(pk=user.pk).exists():
        raise ValidationError({"user": "Choose a named, active login of this practice agreement."})
    current = Investigator.objects.select_for_update().filter(event=locked, withdrawn_at__isnull=True).first()
    if current is not None and current.user_id == user.pk:
        return current
    now = timezone.now()
    if current is not None:
        current.withdrawn_at, current.withdrawn_by = now, by
        current.save(update_fields=["withdrawn_at", "withdrawn_by"])
    assignment = Investigator.objects.create(event=locked, user=user, assigned_by=by, assigned_at=now)
    audit_record(
        actor=by,
        action="investigator_reassigned" if current else "investigator_assigned",
        obj=locked,
        agreement=locked.agreement,
        changes={"investigator": [str(current.user) if current else None, str(user)]},
    )
    _tell_investigator(assignment, locked)
    return assignment


@transaction.atomic
def investigator_withdraw(*, event: Event, by) -> Investigator | None:
    """Withdraw the event's live investigator (their access ends with the next request); None if there was none."""
    require_reviewer(by, event)
    locked = lock_event(event)
    current = Investigator.objects.select_for_update().filter(event=locked, withdrawn_at__isnull=True).first()
    if current is None:
        return None
    current.withdrawn_at, current.withdrawn_by = timezone.now(), by
    current.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=by,
        action="investigator_withdrawn",
        obj=locked,
        agreement=locked.agreement,
        changes={"investigator": [str(current.user), None]},
    )
    return current


def _tell_investigator(assignment: Investigator, event: Event) -> None:
    """A link only: never the narrative."""
    email = assignment.user.email
    if not email or not wants_work_mail(assignment.user):
        return
    url = settings.SITE_URL.rstrip("/") + reverse("review:event-detail", args=[event.pk])
    message = (
        f"Hello {assignment.user},\n\nYou have been asked to investigate event {event.reference} in roils.\n"
        f"Open it here (it is also listed under My work):\n\n{url}\n"
    )
    mail_after_commit(
        subject=f"roils: please investigate {event.reference}",
        message=message,
        from_email=None,
        recipient_list=[email],
    )
