"""Writes of the practices app: enrolment, agreement transitions, memberships and invitations.

Every write is one atomic function that checks its caller's right to act and leaves an audit row.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from foundation.dates import day
from foundation.mail import mail_after_commit

from .audit import audit_record
from .choices import FULL_ACCESS_SEATS, TRANSITIONS, AgreementState, PSORole, Role
from .models import (
    PSO,
    Agreement,
    AgreementMessage,
    Coverage,
    Facility,
    Invitation,
    Membership,
    Practice,
    PSOMembership,
    User,
)
from .scoping import user_access
from .selectors import reviewers_of

S = AgreementState


def _new_reference() -> str:
    return "PSA-" + secrets.token_hex(3).upper()


# --- Enrolment ---------------------------------------------------------------------------------


@dataclass
class FacilityData:
    name: str
    city: str = ""
    state: str = ""
    zip_code: str = ""
    covered: bool = True


@transaction.atomic
def participation_submit(*, pso: PSO, practice_data: dict, facilities: Iterable[FacilityData]) -> Agreement:
    """The public Join form: a practice, its facilities and an agreement in 'form received'."""
    facilities = list(facilities)
    names = [f.name.strip().casefold() for f in facilities]
    if not facilities:
        raise ValidationError({"facilities": "List at least one facility."})
    if len(set(names)) != len(names):
        raise ValidationError({"facilities": "Two facilities have the same name; each needs its own name."})
    if not any(f.covered for f in facilities):
        raise ValidationError({"facilities": "Choose at least one facility for the agreement to cover."})
    practice = Practice(**practice_data)
    practice.full_clean()
    practice.save()
    created = []
    for data in facilities:
        facility = Facility(practice=practice, name=data.name.strip(), city=data.city, state=data.state,
                            zip_code=data.zip_code)
        facility.full_clean()
        facility.save()
        created.append((facility, data.covered))
    agreement = Agreement.objects.create(pso=pso, practice=practice, reference=_new_reference())
    for facility, covered in created:
        if covered:
            Coverage.objects.create(agreement=agreement, facility=facility, pso=pso)
    audit_record(actor=None, action="participation_submitted", obj=agreement, agreement=agreement, pso=pso,
                 note=f"{practice.contact_name} <{practice.contact_email}>")
    return agreement


@transaction.atomic
def agreement_create(*, by: User, pso: PSO, practice: Practice, facilities: Iterable[Facility]) -> Agreement:
    """PSO staff open an agreement for an enrolled practice (a second PSO, or a facility of its own)."""
    _require_pso_staff(by, pso)
    facilities = list(facilities)
    if not facilities or any(f.practice_id != practice.pk for f in facilities):
        raise ValidationError("Choose one or more facilities of this practice.")
    agreement = Agreement.objects.create(pso=pso, practice=practice, reference=_new_reference())
    for facility in facilities:
        _cover(agreement, facility)
    audit_record(actor=by, action="agreement_created", obj=agreement, agreement=agreement, pso=pso)
    return agreement


@transaction.atomic
def facility_create(*, by: User, agreement: Agreement, name: str) -> Facility:
    """PSO staff add a location to the agreement's practice (to open an agreement of its own), with an audit row."""
    _require_pso_staff(by, agreement.pso)
    facility = Facility(practice=agreement.practice, name=name.strip())
    facility.full_clean()
    facility.save()
    audit_record(actor=by, action="facility_created", obj=facility, agreement=agreement, pso=agreement.pso,
                 changes={"name": [None, facility.name]})
    return facility


def _cover(agreement: Agreement, facility: Facility) -> None:
    try:
        with transaction.atomic():
            Coverage.objects.create(agreement=agreement, facility=facility, pso=agreement.pso)
    except IntegrityError as exc:
        raise ValidationError(
            f"{facility.name} is already covered by another agreement with {agreement.pso}."
        ) from exc


def _require_pso_staff(by: User, pso: PSO) -> None:
    if pso.pk not in user_access(by).pso_staff:
        raise PermissionDenied("Only this PSO's staff can do that.")


@transaction.atomic
def agreement_transition(
    *, agreement: Agreement, by: User, to: str, note: str = "", signatories: dict | None = None,
    expected_state: str | None = None,
) -> Agreement:
    """Move an agreement one step along its lifecycle, in order, with an audit row."""
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_pso_staff(by, locked.pso)
    if expected_state is not None and locked.state != expected_state:
        raise ValidationError("Someone else changed this agreement meanwhile; reload and try again.")
    if to not in TRANSITIONS.get(locked.state, ()):
        raise ValidationError(
            f"An agreement that is '{locked.get_state_display()}' cannot become '{S(to).label}'."
        )
    old = locked.state
    now = timezone.now()
    changes = {"state": [old, to]}
    if to == S.EXECUTED:
        signatories = signatories or {}
        missing = [k for k in ("practice_signatory", "pso_signatory", "signed_on") if not signatories.get(k)]
        if missing:
            raise ValidationError("Record both signatories and the signing date to execute the agreement.")
        if signatories["signed_on"] > timezone.localdate(now):
            raise ValidationError("The signing date cannot be in the future.")
        for key in ("practice_signatory", "pso_signatory", "signed_on"):
            setattr(locked, key, signatories[key])
            changes[key] = [None, str(signatories[key])]
    if to == S.TRAINED:
        locked.training_completed_on = timezone.localdate(now)
    if to == S.ACTIVE:
        if not reviewers_of(agreement_ids=[locked.pk]).exists() and not (
            Invitation.objects.filter(agreement=locked, role=Role.FULL_ACCESS, accepted_at__isnull=True).exists()
        ):
            raise ValidationError("Invite at least one full-access user before activating the agreement.")
        locked.activated_at = locked.activated_at or now
        locked.ended_at = None
    if to in (S.SUSPENDED, S.TERMINATED):
        locked.ended_at = now
    if to == S.TERMINATED:
        locked.coverages.update(is_current=False)
    locked.state = to
    locked.save()
    audit_record(actor=by, action="agreement_transition", obj=locked, agreement=locked, pso=locked.pso,
                 changes=changes, note=note)
    return locked


@transaction.atomic
def agreement_message_add(*, agreement: Agreement, by: User, body: str) -> AgreementMessage:
    """A proposed change (from the practice) or a reply (from PSO staff), kept with who and when."""
    access = user_access(by)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the change you propose or your reply."})
    if agreement.pso_id in access.pso_staff:
        kind = AgreementMessage.Kind.REPLY
    elif agreement.pk in access.manage or agreement.pk in access.full:
        kind = AgreementMessage.Kind.PROPOSAL
    else:
        raise PermissionDenied
    message = AgreementMessage.objects.create(agreement=agreement, kind=kind, author=by, body=body)
    if kind == AgreementMessage.Kind.PROPOSAL and agreement.state == S.AGREEMENT_SENT:
        Agreement.objects.filter(pk=agreement.pk).update(state=S.CHANGES_PROPOSED)
        audit_record(actor=by, action="agreement_transition", obj=agreement, agreement=agreement,
                     pso=agreement.pso, changes={"state": [S.AGREEMENT_SENT, S.CHANGES_PROPOSED]})
    return message


# --- Memberships ---------------------------------------------------------------------------------


class SeatsTaken(ValidationError):
    """Both full-access seats of the agreement are held."""


def _can_manage(by: User, agreement: Agreement) -> bool:
    access = user_access(by)
    return agreement.pk in access.manage or agreement.pso_id in access.pso_staff


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
    if by is not None and not _can_manage(by, agreement):
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
    if not _can_manage(by, membership.agreement):
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
        _require_pso_staff(by, pso)
    if role not in PSORole.values:
        raise ValidationError(f"Unknown PSO role {role!r}.")
    membership, _ = PSOMembership.objects.update_or_create(
        user=user, pso=pso, defaults={"role": role, "is_active": active}
    )
    audit_record(actor=by or credit, action="pso_membership_set", obj=membership, pso=pso, note=note,
                 changes={"user": [None, user.username], "role": [None, role], "active": [None, active]})
    return membership


# --- Invitations ----------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, by: User, email: str, username: str, role: str, agreement: Agreement | None = None,
    pso: PSO | None = None, first_name: str = "", last_name: str = "",
) -> tuple[Invitation, str]:
    """A one-time link for a new login; returns the invitation and the raw token (shown once, emailed)."""
    if agreement is not None:
        if not _can_manage(by, agreement):
            raise PermissionDenied
        if agreement.state not in (S.EXECUTED, S.TRAINED, S.ACTIVE):
            raise ValidationError("Logins are issued once the agreement is executed.")
        if role not in Role.values:
            raise ValidationError("Choose a role.")
        if role == Role.FULL_ACCESS:
            _check_seat_free(agreement)
    elif pso is not None:
        _require_pso_staff(by, pso)
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
        if not _can_manage(by, invitation.agreement):
            raise PermissionDenied
    else:
        _require_pso_staff(by, invitation.pso)
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


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    """End every session of the user (the epoch is part of the session hash)."""
    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    audit_record(actor=user, action="signed_out_everywhere", obj=user)


def notification_settings_set(*, user: User, reporter_news: str, work_mail: str):
    """Save which e-mails the user wants."""
    from .models import NotificationSettings

    if reporter_news not in NotificationSettings.ReporterNews.values or work_mail not in (
            NotificationSettings.WorkMail.values):
        raise ValidationError("Choose one of the options.")
    settings_row, _created = NotificationSettings.objects.update_or_create(
        user=user, defaults={"reporter_news": reporter_news, "work_mail": work_mail})
    return settings_row


@transaction.atomic
def reporter_login_invite(*, by: User, agreement: Agreement, name: str, email: str) -> User:
    """A new reporter login of the agreement for a named person, e-mailed a one-time link to choose a password.

    Used when a full-access user gives an action to someone without a login; the login exists at once (so the
    action has its owner) but cannot sign in until its password is chosen through the link.
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if not _can_manage(by, agreement):
        raise PermissionDenied
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name or not email:
        raise ValidationError({"new_owner_email": "Give the new owner's name and e-mail address."})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"new_owner_email": "A login with this e-mail address exists: choose it as the owner "
                                                  "(or ask your PSO to add it to this agreement)."})
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@", 1)[0])[:100] or "owner"
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}{n}"
    first, _sep, last = name.partition(" ")
    user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    membership_grant(by=by, agreement=agreement, user=user, role=Role.REPORTER)
    audit_record(actor=by, action="login_invited", obj=user, agreement=agreement,
                 changes={"username": [None, username], "role": [None, Role.REPORTER]})
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    link = settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    message = (f"Hello {name},\n\n{by} gave you an action to carry out in roils ({agreement.practice.name}).\n"
               f"Your username is {username}. Choose your password here (the link works once):\n\n{link}\n")
    mail_after_commit(subject="Your roils login", message=message, from_email=None,
                      recipient_list=[email])
    return user
