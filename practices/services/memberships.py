"""Memberships: a login's role on an agreement (and its full-access seat), or at a PSO."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from guardian.shortcuts import assign_perm, remove_perm

from ..audit import audit_record
from ..choices import FULL_ACCESS_SEATS, AgreementState, PSORole, Role
from ..models import PSO, Agreement, Membership, PSOMembership, User
from .common import can_manage, require_pso_staff

S = AgreementState


class SeatsTaken(ValidationError):
    """Both full-access seats of the agreement are held."""


def _grant_seat(membership: Membership) -> None:
    """Take the lowest free seat; the unique constraint settles a race for the last one."""
    for seat in FULL_ACCESS_SEATS:
        if Membership.objects.filter(agreement_id=membership.agreement_id, seat=seat).exists():
            continue
        membership.seat = seat
        try:
            with transaction.atomic():
                membership.save()
            return
        except IntegrityError:
            continue
    raise SeatsTaken(
        "This agreement already has two full-access users. Change one of them to reporter first."
    )


@transaction.atomic
def membership_grant(*, by: User | None, agreement: Agreement, user: User, role: str, credit: User | None = None,
                     note: str = "") -> Membership:
    """Give a login a role on an agreement (or change it), honouring the two full-access seats.

    `by` is checked (None: the system or an invitation); the trail names `by`, else `credit`.
    """
    if by is not None and not can_manage(by, agreement):
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    if role == Role.FULL_ACCESS and agreement.state not in (S.EXECUTED, S.TRAINED, S.ACTIVE):
        raise ValidationError("Full-access users can be named once the agreement is executed.")
    membership, created = Membership.objects.get_or_create(
        user=user, agreement=agreement, defaults={"role": role, "is_active": False}
    )
    old = None if created else [membership.role, membership.is_active]
    membership.role = role
    membership.is_active = True
    if role == Role.FULL_ACCESS:
        if membership.seat is None:
            _grant_seat(membership)
    else:
        membership.seat = None
        membership.save()
    _sync_object_perms(membership)
    audit_record(actor=by or credit, action="membership_granted", obj=membership, agreement=agreement,
                 changes={"user": [None, user.username], "role": [old[0] if old else None, role]}, note=note)
    return membership


@transaction.atomic
def membership_deactivate(*, by: User, membership: Membership) -> Membership:
    """Withdraw a login's access to an agreement (its past submissions stay)."""
    if not can_manage(by, membership.agreement):
        raise PermissionDenied
    if membership.user_id == by.pk:
        raise ValidationError("You cannot remove your own access; ask the other full-access user or the PSO.")
    membership.is_active = False
    membership.seat = None
    membership.save()
    _sync_object_perms(membership)
    audit_record(actor=by, action="membership_deactivated", obj=membership, agreement=membership.agreement,
                 changes={"is_active": [True, False]})
    return membership


def _sync_object_perms(membership: Membership) -> None:
    """Mirror the membership into guardian object permissions (read back only by admin tooling)."""
    agreement, user = membership.agreement, membership.user
    for perm in ("submit_event", "review_event", "manage_logins", "view_agreement"):
        remove_perm(f"practices.{perm}", user, agreement)
    if not membership.is_active:
        return
    perms = ["view_agreement", "submit_event"]
    if membership.role == Role.FULL_ACCESS:
        perms += ["review_event", "manage_logins"]
    for perm in perms:
        assign_perm(f"practices.{perm}", user, agreement)


@transaction.atomic
def pso_membership_set(*, by: User | None, pso: PSO, user: User, role: str, active: bool = True,
                       credit: User | None = None, note: str = "") -> PSOMembership:
    """Create, change or deactivate a PSO staff or analyst login (the trail names `by`, else `credit`)."""
    if by is not None:
        require_pso_staff(by, pso)
    if role not in PSORole.values:
        raise ValidationError(f"Unknown PSO role {role!r}.")
    membership, _ = PSOMembership.objects.update_or_create(
        user=user, pso=pso, defaults={"role": role, "is_active": active}
    )
    audit_record(actor=by or credit, action="pso_membership_set", obj=membership, pso=pso, note=note,
                 changes={"user": [None, user.username], "role": [None, role], "active": [None, active]})
    return membership
