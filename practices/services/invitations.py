"""Invitations: a link e-mailed to a new login of an agreement or a PSO, accepted once."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from foundation.dates import day
from foundation.mail import mail_after_commit

from ..audit import audit_record
from ..choices import FULL_ACCESS_SEATS, AgreementState, PSORole, Role
from ..models import PSO, Agreement, Invitation, User
from .common import can_manage, require_pso_staff
from .memberships import SeatsTaken, membership_grant, pso_membership_set

S = AgreementState


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, by: User, email: str, username: str, role: str, agreement: Agreement | None = None,
    pso: PSO | None = None, first_name: str = "", last_name: str = "",
) -> tuple[Invitation, str]:
    """A one-time link for a new login; returns the invitation and the raw token (shown once, emailed)."""
    if agreement is not None:
        if not can_manage(by, agreement):
            raise PermissionDenied
        if agreement.state not in (S.EXECUTED, S.TRAINED, S.ACTIVE):
            raise ValidationError("Logins are issued once the agreement is executed.")
        if role not in Role.values:
            raise ValidationError("Choose a role.")
        if role == Role.FULL_ACCESS:
            _check_seat_free(agreement)
    elif pso is not None:
        require_pso_staff(by, pso)
        if role not in PSORole.values:
            raise ValidationError("Choose a role.")
    else:
        raise ValidationError("An invitation needs an agreement or a PSO.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken."})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email, username=username, first_name=first_name, last_name=last_name, agreement=agreement,
        pso=pso or agreement.pso,
        role=role, token_hash=_token_hash(token), created_by=by,
        expires_at=timezone.now() + timezone.timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    audit_record(actor=by, action="invitation_created", obj=invitation, agreement=agreement, pso=invitation.pso,
                 changes={"username": [None, username], "role": [None, role]})
    return invitation, token


def _require_invitation_manager(by: User, invitation: Invitation) -> None:
    if invitation.agreement_id is not None:
        if not can_manage(by, invitation.agreement):
            raise PermissionDenied
    else:
        require_pso_staff(by, invitation.pso)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has been used already.")


@transaction.atomic
def invitation_reissue(*, by: User, invitation: Invitation, emailed: bool) -> str:
    """A new link for a pending (or expired, or withdrawn) invitation; the old link stops working. Returns the token.

    `emailed` says whether the caller mails it (resend) or shows it to copy; the trail records which.
    """
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("agreement", "pso").get(
        pk=invitation.pk)
    _require_invitation_manager(by, invitation)
    if invitation.role == Role.FULL_ACCESS and invitation.agreement_id and not invitation.is_usable:
        _check_seat_free(invitation.agreement, excluding=invitation)
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _token_hash(token)
    invitation.expires_at = timezone.now() + timezone.timedelta(days=settings.INVITATION_TTL_DAYS)
    invitation.revoked_at = None
    invitation.save(update_fields=["token_hash", "expires_at", "revoked_at"])
    audit_record(actor=by, action="invitation_resent" if emailed else "invitation_link_copied", obj=invitation,
                 agreement=invitation.agreement, pso=invitation.pso, changes={"username": [None, invitation.username]})
    return token


@transaction.atomic
def invitation_revoke(*, by: User, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation: its link stops working and a full-access seat it held is free again."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("agreement", "pso").get(
        pk=invitation.pk)
    _require_invitation_manager(by, invitation)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="invitation_revoked", obj=invitation, agreement=invitation.agreement,
                     pso=invitation.pso, changes={"username": [invitation.username, None]})
    return invitation


def _check_seat_free(agreement: Agreement, *, excluding: Invitation | None = None) -> None:
    held = agreement.memberships.filter(role=Role.FULL_ACCESS, is_active=True).count()
    pending = Invitation.objects.filter(agreement=agreement, role=Role.FULL_ACCESS, accepted_at__isnull=True,
                                        revoked_at__isnull=True, expires_at__gt=timezone.now())
    if excluding is not None:
        pending = pending.exclude(pk=excluding.pk)
    if held + pending.count() >= len(FULL_ACCESS_SEATS):
        raise SeatsTaken("Both full-access seats are held or already offered.")


def invitation_link(token: str, site_url: str | None = None) -> str:
    """The one-time link of a token, on `site_url` (the address the inviter used) else SITE_URL."""
    return (site_url or settings.SITE_URL).rstrip("/") + reverse("practices:invitation-accept", args=[token])


def invitation_send(*, invitation: Invitation, token: str, site_url: str | None = None) -> None:
    """Email the invitee their one-time link once the invitation is committed.

    The link is built on `site_url` (the address the inviter used, as the view passes it), else SITE_URL.
    """
    link = invitation_link(token, site_url)
    where = invitation.agreement.practice.name if invitation.agreement_id else invitation.pso.name
    message = (
        f"Hello,\n\nYou have been invited to roils ({where}) as {invitation.role_label}.\n"
        f"Your username is {invitation.username}. Choose your password here (the link works once and "
        f"expires on {day(invitation.expires_at)}):\n\n{link}\n"
    )
    mail_after_commit(subject="Your roils login", message=message, from_email=None,
                      recipient_list=[invitation.email])


def invitation_lookup(token: str) -> Invitation:
    """The invitation behind a token, or a clear error if it is unknown, used or expired."""
    invitation = Invitation.objects.select_related("agreement", "pso").filter(token_hash=_token_hash(token)).first()
    if invitation is None:
        raise ValidationError("This invitation link is not valid. Ask for a new one.")
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used. Sign in, or ask for a new link.")
    if invitation.revoked_at is not None:
        raise ValidationError("This invitation was withdrawn. Ask the person who invited you for a new one.")
    if invitation.expires_at <= timezone.now():
        raise ValidationError("This invitation has expired. Ask the person who invited you for a new link.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Create the invitee's login with their chosen password and grant the invited role."""
    invitation = invitation_lookup(token)
    Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if User.objects.filter(username__iexact=invitation.username).exists():
        raise ValidationError("That username is taken; ask for a new invitation.")
    user = User(username=invitation.username, email=invitation.email, first_name=invitation.first_name,
                last_name=invitation.last_name, is_shared_login=invitation.role == Role.SHARED)
    user.set_password(password)
    user.save()
    # The invitee joins on their own link: the trail credits them and names who invited them.
    credit = {"credit": user, "note": f"Joined through the invitation from {invitation.created_by}"}
    if invitation.agreement_id:
        membership_grant(by=None, agreement=invitation.agreement, user=user, role=invitation.role, **credit)
    else:
        pso_membership_set(by=None, pso=invitation.pso, user=user, role=invitation.role, **credit)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return user
