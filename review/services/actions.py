"""Corrective and preventive actions on an event: add one, and record its progress."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from events.models import Event
from foundation.taxonomy import review as rc
from practices.audit import audit_record

from ..models import ActionItem
from ..selectors import owner_candidates
from .common import lock_event, plain, require_reviewer, touch_event

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
def action_item_add(*, event: Event, by, action_type: str, description: str, owner, due_date: dt.date) -> ActionItem:
    """Add a corrective or preventive action with its owner and due date."""
    require_reviewer(by, event)
    locked = lock_event(event)
    _check_action(locked, action_type=action_type, description=description, owner=owner, due_date=due_date,
                  due_changed=True)
    number = (ActionItem.objects.filter(event=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    item = ActionItem.objects.create(event=locked, number=number, action_type=action_type,
                                     description=description.strip(), owner=owner, due_date=due_date, assigned_by=by)
    audit_record(actor=by, action="action_item_added", obj=locked, agreement=locked.agreement,
                 changes={f"action {number}": [None, _action_summary(item)]})
    touch_event(locked, timezone.now())
    return item


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
    if changes:
        current.save()
        audit_record(actor=by, action="action_item_updated", obj=locked_event, agreement=locked_event.agreement,
                     changes=changes)
        touch_event(locked_event, now)
    return current
