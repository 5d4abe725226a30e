"""Enrolment: a practice's participation form, agreements and their facilities, the agreement's lifecycle and
its messages between the PSO and the practice."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..audit import audit_record
from ..choices import TRANSITIONS, AgreementState, Role
from ..models import PSO, Agreement, AgreementMessage, Coverage, Facility, Invitation, Practice, User
from ..scoping import user_access
from ..selectors import reviewers_of
from .common import require_pso_staff

S = AgreementState


def _new_reference() -> str:
    return "PSA-" + secrets.token_hex(3).upper()




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
    require_pso_staff(by, pso)
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
    require_pso_staff(by, agreement.pso)
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


@transaction.atomic
def agreement_transition(
    *, agreement: Agreement, by: User, to: str, note: str = "", signatories: dict | None = None,
    expected_state: str | None = None,
) -> Agreement:
    """Move an agreement one step along its lifecycle, in order, with an audit row."""
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require_pso_staff(by, locked.pso)
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
