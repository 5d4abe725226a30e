"""A practice's deadline policy: set by its full-access users, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from practices.audit import audit_record
from practices.models import Agreement

from ..models import DeadlinePolicy

POLICY_FIELDS = (
    "priority_start_days",
    "priority_finish_days",
    "other_start_days",
    "other_finish_days",
    "weekend_days",
    "holidays",
)


@transaction.atomic
def deadline_policy_set(*, agreement: Agreement, by, data: dict) -> DeadlinePolicy:
    """Change the agreement's deadline rules (a full-access user of an agreement in force)."""
    if not Agreement.objects.for_user(by, action="manage").filter(pk=agreement.pk).exists():
        raise PermissionDenied
    policy, _created = DeadlinePolicy.objects.select_for_update().get_or_create(
        agreement=agreement, defaults={"weekend_days": [5, 6]}
    )
    changes = {}
    for name in POLICY_FIELDS:
        if name in data and getattr(policy, name) != data[name]:
            changes[name] = [getattr(policy, name), data[name]]
            setattr(policy, name, data[name])
    if changes or _created:
        policy.updated_by, policy.updated_at = by, timezone.now()
        policy.full_clean(exclude=["agreement"])
        policy.save()
        audit_record(actor=by, action="deadline_policy_set", obj=agreement, agreement=agreement, changes=changes)
    return policy


def deadline_policy_of(agreement: Agreement) -> DeadlinePolicy:
    """The agreement's policy, or an unsaved one with the defaults."""
    return DeadlinePolicy.objects.filter(agreement=agreement).first() or DeadlinePolicy(
        agreement=agreement, weekend_days=[5, 6]
    )
