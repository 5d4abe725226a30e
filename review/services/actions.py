"""Corrective and preventive actions on an event: add one, its owner's progress and evidence, its verification."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from foundation.files import ALLOWED_TYPES, uploaded_content_type
from foundation.mail import mail_after_commit
from foundation.taxonomy import review as rc
from practices.audit import audit_record
from practices.models import wants_work_mail
from practices.services import reporter_login_invite

from ..models import ActionItem, ActionUpdate, Verification
from ..selectors import owner_candidates
from .common import lock_event, plain, require_reviewer, touch_event
from .investigators import require_investigating

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

ACTION_CODES = {c for c, _ in rc.choices(rc.CORRECTIVE_ACTIONS, include_retired=True)}


def _check_action(event: Event, *, action_type, description, owner, due_date, due_changed: bool) -> None:
    errors = {}
    if action_type not in ACTION_CODES:
        errors["action_type"] = "Choose the type of action."
    if not (description or "").strip():
        errors["description"] = "Describe the action."
    if owner is None:
        errors["owner"] = "Choose who owns this action."
    elif not owner_candidates(event.agreement_id).filter(pk=owner.pk).exists():
        errors["owner"] = "The owner must be a named user of this practice agreement."
    if due_date is None:
        errors["due_date"] = "Set a due date."
    elif due_changed and due_date < timezone.localdate():
        errors["due_date"] = "The due date cannot be in the past."
    if errors:
        raise ValidationError(errors)


def _action_summary(item: ActionItem) -> str:
    return f"{item.type_label}; owner {item.owner}; due {item.due_date.isoformat()}; {item.get_status_display()}"


@transaction.atomic
def action_item_add(
    *, event: Event, by, action_type: str, description: str, owner, due_date: dt.date,
    new_owner: tuple[str, str] | None = None,
) -> ActionItem:
    """Add a corrective or preventive action with its owner and due date (a reviewer or the event's investigator).

    `new_owner` (name, e-mail), instead of `owner`: a full-access user gives the action to someone without a login,
    who gets a reporter login of the agreement and a link to choose a password.
    """
    require_investigating(by, event)
    locked = lock_event(event)
    if owner is None and new_owner is not None:
        require_reviewer(by, locked)
        owner = reporter_login_invite(by=by, agreement=locked.agreement, name=new_owner[0], email=new_owner[1])
    _check_action(locked, action_type=action_type, description=description, owner=owner, due_date=due_date,
                  due_changed=True)
    number = (ActionItem.objects.filter(event=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    item = ActionItem.objects.create(event=locked, number=number, action_type=action_type,
                                     description=description.strip(), owner=owner, due_date=due_date, assigned_by=by)
    audit_record(actor=by, action="action_item_added", obj=locked, agreement=locked.agreement,
                 changes={f"action {number}": [None, _action_summary(item)]})
    touch_event(locked, timezone.now())
    if owner.pk != by.pk:
        _tell_owner(item, locked)
    return item


def _tell_owner(item: ActionItem, event: Event) -> None:
    """Email the new owner a link to the action (no narrative, no description)."""
    email = item.owner.email
    if not email or not wants_work_mail(item.owner):
        return
    url = settings.SITE_URL.rstrip("/") + reverse("review:action-work", args=[item.pk])
    message = (f"Hello {item.owner},\n\nYou own action {item.number} of event {event.reference} in roils, due "
               f"{item.due_date:%B %d, %Y}.\nSee it, add progress and mark it done here (also under My work):\n\n"
               f"{url}\n")
    mail_after_commit(subject=f"roils: an action for you ({event.reference})", message=message,
                      from_email=None, recipient_list=[email])


@transaction.atomic
def action_item_update(*, item: ActionItem, by, data: dict) -> ActionItem:
    """Change an action item (type, description, owner, due date, status, what was done)."""
    require_reviewer(by, item.event)
    locked_event = lock_event(item.event)
    current = ActionItem.objects.select_for_update().select_related("owner").get(pk=item.pk)
    fields = ("action_type", "description", "owner", "due_date", "status", "completion_note")
    new = {name: data.get(name, getattr(current, name)) for name in fields}
    if new["status"] not in rc.ActionStatus.values:
        raise ValidationError({"status": "Choose a status."})
    _check_action(locked_event, action_type=new["action_type"], description=new["description"], owner=new["owner"],
                  due_date=new["due_date"], due_changed=new["due_date"] != current.due_date)
    changes = {}
    for name in fields:
        old_value = getattr(current, name)
        if old_value != new[name]:
            changes[f"action {current.number}: {name}"] = [plain(old_value), plain(new[name])]
            setattr(current, name, new[name])
    now = timezone.now()
    if current.status == rc.ActionStatus.DONE and current.completed_at is None:
        current.completed_by, current.completed_at = by, now
    elif current.status != rc.ActionStatus.DONE:
        current.completed_by, current.completed_at = None, None
    if changes and current.status != rc.ActionStatus.DONE and current.verified_at is not None:
        # Reopened: the verdict was about work that is no longer considered done.
        changes[f"action {current.number}: verification"] = [current.verification, ""]
        current.verification, current.verified_by, current.verified_at = "", None, None
    if changes:
        current.save()
        audit_record(actor=by, action="action_item_updated", obj=locked_event, agreement=locked_event.agreement,
                     changes=changes)
        touch_event(locked_event, now)
    return current


def _require_owner_or_reviewer(by, item: ActionItem) -> None:
    """The action's owner (a live grant, read from the database) or a full-access user of its agreement in force."""
    if not ActionItem.objects.for_user(by, action="own").filter(pk=item.pk).exists():
        raise PermissionDenied
    if item.owner_id != by.pk:
        require_reviewer(by, item.event)


def evidence_check(upload) -> str:
    """The sniffed content type of an evidence file, or a ValidationError saying what is accepted."""
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence": "The file is larger than 10 MB."})
    content_type = uploaded_content_type(upload)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError({"evidence": "Attach a PDF, a PNG, JPEG or GIF picture, or a plain text file."})
    return content_type


@transaction.atomic
def action_progress_add(
    *, item: ActionItem, by, note: str = "", evidence=None, mark_done: bool = False
) -> ActionUpdate:
    """The owner's (or a reviewer's) progress note, with optional evidence; `mark_done` completes the action."""
    _require_owner_or_reviewer(by, item)
    locked_event = lock_event(item.event)
    current = ActionItem.objects.select_for_update().get(pk=item.pk)
    if current.verified_at is not None:
        raise ValidationError("This action is verified and closed; a reviewer can reopen it.")
    note = (note or "").strip()
    if not note and evidence is None and not mark_done:
        raise ValidationError({"note": "Write a progress note, attach evidence or mark the action done."})
    evidence_type = evidence_check(evidence) if evidence is not None else ""
    update = ActionUpdate(item=current, author=by, note=note, evidence_type=evidence_type,
                          evidence_name=(evidence.name[:200] if evidence is not None else ""))
    if evidence is not None:
        update.evidence.save(evidence.name, evidence, save=False)
    update.save()
    now = timezone.now()
    old_status = current.status
    if mark_done:
        current.status, current.completed_by, current.completed_at = rc.ActionStatus.DONE, by, now
        if note:
            current.completion_note = note[:2000]
    elif current.status == rc.ActionStatus.OPEN:
        current.status = rc.ActionStatus.IN_PROGRESS
    current.save()
    changes = {f"action {current.number}: progress": [None, "note" + (", evidence" if evidence is not None else "")]}
    if old_status != current.status:
        changes[f"action {current.number}: status"] = [old_status, current.status]
    audit_record(actor=by, action="action_progress", obj=locked_event, agreement=locked_event.agreement,
                 changes=changes)
    touch_event(locked_event, now)
    return update


@transaction.atomic
def action_item_verify(*, item: ActionItem, by, verification: str, note: str = "") -> ActionItem:
    """A full-access user's verdict on a done action (effective or not), which closes it."""
    require_reviewer(by, item.event)
    locked_event = lock_event(item.event)
    current = ActionItem.objects.select_for_update().get(pk=item.pk)
    if verification not in Verification.values:
        raise ValidationError({"verification": "Choose whether the action was effective."})
    if current.status != rc.ActionStatus.DONE:
        raise ValidationError("Only an action marked done can be verified.")
    if current.verified_at is not None:
        raise ValidationError("This action is already verified.")
    now = timezone.now()
    current.verification, current.verification_note = verification, (note or "").strip()[:2000]
    current.verified_by, current.verified_at = by, now
    current.save(update_fields=["verification", "verification_note", "verified_by", "verified_at"])
    audit_record(actor=by, action="action_item_verified", obj=locked_event, agreement=locked_event.agreement,
                 changes={f"action {current.number}: verification": [None, verification]})
    touch_event(locked_event, now)
    return current
