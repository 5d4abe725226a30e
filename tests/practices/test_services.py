"""Enrolment, transitions, memberships and invitations: rules and bad input that changes nothing."""

import datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from practices.choices import AgreementState, PSORole, Role
from practices.models import AuditEntry, Coverage, Facility, Membership, Practice, User
from practices.scoping import user_access
from practices.selectors import reviewers_of
from practices.services import (
    FacilityData,
    agreement_create,
    agreement_message_add,
    agreement_transition,
    facility_create,
    invitation_accept,
    invitation_create,
    invitation_lookup,
    invitation_send,
    membership_deactivate,
    membership_grant,
    participation_submit,
)

pytestmark = pytest.mark.django_db

PRACTICE = {"name": "Valley Radiation", "address_line1": "9 Elm Street", "city": "Austin", "state": "TX",
            "zip_code": "78701", "contact_name": "Val", "contact_email": "val@valley.example"}


def test_participation_submit_non_us_state_refused_and_nothing_saved(world):
    before = Practice.objects.count()
    with pytest.raises(ValidationError, match="United States"):
        participation_submit(pso=world["pso"], practice_data={**PRACTICE, "state": "ON"},
                             facilities=[FacilityData("Valley Main")])
    assert Practice.objects.count() == before


def test_participation_submit_bad_zip_refused(world):
    with pytest.raises(ValidationError, match="ZIP"):
        participation_submit(pso=world["pso"], practice_data={**PRACTICE, "zip_code": "K1A 0B1"},
                             facilities=[FacilityData("Valley Main")])


def test_participation_submit_duplicate_facility_refused_and_nothing_saved(world):
    before = (Practice.objects.count(), Facility.objects.count())
    with pytest.raises(ValidationError, match="same name"):
        participation_submit(pso=world["pso"], practice_data=PRACTICE,
                             facilities=[FacilityData("Valley Main"), FacilityData("valley main ")])
    assert (Practice.objects.count(), Facility.objects.count()) == before


def test_agreement_transition_out_of_order_refused_and_unchanged(world):
    agreement = participation_submit(pso=world["pso"], practice_data=PRACTICE, facilities=[FacilityData("V")])
    with pytest.raises(ValidationError, match="cannot become"):
        agreement_transition(agreement=agreement, by=world["users"]["staff.pso"], to=AgreementState.ACTIVE)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.FORM_RECEIVED


def test_agreement_transition_by_practice_user_denied(world):
    agreement = world["agreements"]["riverside"]
    with pytest.raises(PermissionDenied):
        agreement_transition(agreement=agreement, by=world["users"]["physicist.riverside"],
                             to=AgreementState.SUSPENDED)


def test_agreement_transition_by_other_pso_staff_denied(world, django_user_model):
    from practices.models import PSO
    from practices.services import pso_membership_set

    other = PSO.objects.create(name="Other PSO", slug="other")
    staff = django_user_model.objects.create(username="staff.other")
    pso_membership_set(by=None, pso=other, user=staff, role=PSORole.STAFF)
    with pytest.raises(PermissionDenied):
        agreement_transition(agreement=world["agreements"]["riverside"], by=staff, to=AgreementState.SUSPENDED)


def test_agreement_transition_execute_needs_signatories_and_is_audited(world):
    staff = world["users"]["staff.pso"]
    agreement = participation_submit(pso=world["pso"], practice_data=PRACTICE, facilities=[FacilityData("V")])
    agreement = agreement_transition(agreement=agreement, by=staff, to=AgreementState.AGREEMENT_SENT)
    with pytest.raises(ValidationError, match="signatories"):
        agreement_transition(agreement=agreement, by=staff, to=AgreementState.EXECUTED)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        agreement_transition(agreement=agreement, by=staff, to=AgreementState.EXECUTED,
                             signatories={"practice_signatory": "A", "pso_signatory": "B", "signed_on": tomorrow})
    agreement = agreement_transition(agreement=agreement, by=staff, to=AgreementState.EXECUTED, signatories={
        "practice_signatory": "A", "pso_signatory": "B", "signed_on": timezone.localdate()})
    assert agreement.state == AgreementState.EXECUTED
    entries = AuditEntry.objects.filter(agreement=agreement, action="agreement_transition")
    assert [e.changes["state"][1] for e in entries.order_by("at", "id")] == ["agreement_sent", "executed"]
    assert all(e.actor == staff for e in entries)


@override_settings(TIME_ZONE="America/New_York")
def test_agreement_dates_are_the_local_date_not_utc(world):
    """At 9 pm in New York it is already the next day in UTC: that day is still the future, training is dated today."""
    staff = world["users"]["staff.pso"]
    evening = datetime.datetime(2026, 3, 10, 21, 0, tzinfo=ZoneInfo("America/New_York"))  # 01:00 UTC, March 11
    with patch("django.utils.timezone.now", return_value=evening.astimezone(datetime.UTC)):
        agreement = participation_submit(pso=world["pso"], practice_data=PRACTICE, facilities=[FacilityData("V")])
        agreement = agreement_transition(agreement=agreement, by=staff, to=AgreementState.AGREEMENT_SENT)
        signed = {"practice_signatory": "A", "pso_signatory": "B"}
        with pytest.raises(ValidationError, match="future"):
            agreement_transition(agreement=agreement, by=staff, to=AgreementState.EXECUTED,
                                 signatories={**signed, "signed_on": datetime.date(2026, 3, 11)})
        agreement = agreement_transition(agreement=agreement, by=staff, to=AgreementState.EXECUTED,
                                         signatories={**signed, "signed_on": datetime.date(2026, 3, 10)})
        agreement = agreement_transition(agreement=agreement, by=staff, to=AgreementState.TRAINED)
    assert agreement.training_completed_on == datetime.date(2026, 3, 10)


def test_agreement_transition_stale_expected_state_refused(world):
    with pytest.raises(ValidationError, match="meanwhile"):
        agreement_transition(agreement=world["agreements"]["riverside"], by=world["users"]["staff.pso"],
                             to=AgreementState.SUSPENDED, expected_state=AgreementState.TRAINED)


def test_agreement_message_proposal_moves_sent_agreement_to_changes_proposed(world, django_user_model):
    staff = world["users"]["staff.pso"]
    agreement = participation_submit(pso=world["pso"], practice_data=PRACTICE, facilities=[FacilityData("V")])
    agreement = agreement_transition(agreement=agreement, by=staff, to=AgreementState.AGREEMENT_SENT)
    reply = agreement_message_add(agreement=agreement, by=staff, body="Here is the agreement.")
    assert reply.kind == "reply"
    with pytest.raises(PermissionDenied):
        agreement_message_add(agreement=agreement, by=world["users"]["physicist.lakeside"], body="hi")


def test_suspended_agreement_stops_submission_keeps_reviewer_read_access(world):
    agreement = world["agreements"]["riverside"]
    agreement_transition(agreement=agreement, by=world["users"]["staff.pso"], to=AgreementState.SUSPENDED)
    physicist, reporter = (User.objects.get(username=u) for u in ("physicist.riverside", "reporter.riverside"))
    assert agreement.pk not in user_access(physicist).submit
    assert agreement.pk in user_access(physicist).full
    assert agreement.pk not in user_access(reporter).own


def test_terminated_agreement_read_access_ends_after_retention(world):
    agreement = world["agreements"]["riverside"]
    agreement_transition(agreement=agreement, by=world["users"]["staff.pso"], to=AgreementState.TERMINATED)
    agreement.refresh_from_db()
    agreement.ended_at = timezone.now() - datetime.timedelta(days=agreement.retention_days + 1)
    agreement.save()
    physicist = User.objects.get(username="physicist.riverside")
    assert agreement.pk not in user_access(physicist).full
    assert not Coverage.objects.filter(agreement=agreement, is_current=True).exists()


def test_agreement_create_facility_already_covered_by_same_pso_refused(world):
    agreement = world["agreements"]["riverside"]
    with pytest.raises(ValidationError, match="already covered"):
        agreement_create(by=world["users"]["staff.pso"], pso=world["pso"], practice=agreement.practice,
                         facilities=[agreement.facilities.first()])


def test_membership_grant_third_full_access_refused_with_clear_message(world, django_user_model):
    agreement = world["agreements"]["riverside"]
    newcomer = django_user_model.objects.create(username="third")
    with pytest.raises(ValidationError, match="two full-access"):
        membership_grant(by=world["users"]["physicist.riverside"], agreement=agreement, user=newcomer,
                         role=Role.FULL_ACCESS)
    assert Membership.objects.filter(agreement=agreement, role=Role.FULL_ACCESS, is_active=True).count() == 2


def test_membership_grant_by_reporter_denied(world, django_user_model):
    with pytest.raises(PermissionDenied):
        membership_grant(by=world["users"]["reporter.riverside"], agreement=world["agreements"]["riverside"],
                         user=django_user_model.objects.create(username="x"), role=Role.REPORTER)


def test_membership_role_change_frees_seat_and_is_audited(world, django_user_model):
    agreement = world["agreements"]["riverside"]
    physicist, director = world["users"]["physicist.riverside"], world["users"]["director.riverside"]
    membership_grant(by=physicist, agreement=agreement, user=director, role=Role.REPORTER)
    newcomer = django_user_model.objects.create(username="newphys")
    membership = membership_grant(by=physicist, agreement=agreement, user=newcomer, role=Role.FULL_ACCESS)
    assert membership.seat in (1, 2)
    assert AuditEntry.objects.filter(agreement=agreement, action="membership_granted", actor=physicist).count() == 2


def test_membership_deactivate_self_refused(world):
    physicist = world["users"]["physicist.riverside"]
    membership = Membership.objects.get(user=physicist, agreement=world["agreements"]["riverside"])
    with pytest.raises(ValidationError, match="your own"):
        membership_deactivate(by=physicist, membership=membership)


def test_invitation_accept_creates_login_with_role_and_cannot_be_reused(world):
    agreement = world["agreements"]["riverside"]
    invitation, token = invitation_create(by=world["users"]["physicist.riverside"], agreement=agreement,
                                          email="new@riverside.example", username="new.therapist",
                                          role=Role.REPORTER)
    user = invitation_accept(token=token, password="a-long-enough-passphrase-2026")
    assert user.check_password("a-long-enough-passphrase-2026")
    assert agreement.pk in user_access(user).submit
    with pytest.raises(ValidationError, match="already been used"):
        invitation_lookup(token)


def test_invitation_expired_refused_and_no_login_created(world, django_user_model):
    invitation, token = invitation_create(by=world["users"]["staff.pso"], pso=world["pso"], email="a@pso.example",
                                          username="late.analyst", role=PSORole.ANALYST)
    invitation.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    invitation.save()
    with pytest.raises(ValidationError, match="expired"):
        invitation_accept(token=token, password="a-long-enough-passphrase-2026")
    assert not django_user_model.objects.filter(username="late.analyst").exists()


def test_invitation_full_access_when_both_seats_held_refused(world):
    with pytest.raises(ValidationError, match="seats"):
        invitation_create(by=world["users"]["staff.pso"], agreement=world["agreements"]["riverside"],
                          email="x@x.example", username="third.reviewer", role=Role.FULL_ACCESS)


def test_facility_create_by_staff_adds_a_location_with_an_audit_row(world):
    riverside, staff = world["agreements"]["riverside"], world["users"]["staff.pso"]
    facility = facility_create(by=staff, agreement=riverside, name="  Riverside East ")
    assert (facility.practice, facility.name) == (riverside.practice, "Riverside East")
    entry = AuditEntry.objects.get(action="facility_created")
    assert (entry.actor, entry.agreement, entry.pso, entry.object_id) == (staff, riverside, riverside.pso,
                                                                          str(facility.pk))


@pytest.mark.parametrize("username", ["physicist.riverside", "reporter.riverside", "analyst.pso"])
def test_facility_create_by_anyone_but_the_psos_staff_denied(world, username):
    with pytest.raises(PermissionDenied):
        facility_create(by=world["users"][username], agreement=world["agreements"]["riverside"], name="East")
    assert not Facility.objects.filter(name="East").exists()


def test_facility_create_duplicate_name_refused_and_nothing_saved(world):
    before = Facility.objects.count()
    with pytest.raises(ValidationError):
        facility_create(by=world["users"]["staff.pso"], agreement=world["agreements"]["riverside"],
                        name="main campus")
    assert Facility.objects.count() == before and not AuditEntry.objects.filter(action="facility_created").exists()


def test_invitation_send_mails_the_link_only_after_commit(world, settings, django_capture_on_commit_callbacks):
    from django.core import mail

    settings.SITE_URL = "https://roils.example.org/"
    invitation, token = invitation_create(by=world["users"]["physicist.riverside"],
                                          agreement=world["agreements"]["riverside"], email="new@riverside.example",
                                          username="new.reporter", role=Role.REPORTER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation_send(invitation=invitation, token=token)
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    (message,) = mail.outbox
    assert message.to == ["new@riverside.example"] and "Riverside Cancer Center" in message.body
    assert f"https://roils.example.org/invitation/{token}/" in message.body


def test_invitation_send_links_on_the_address_the_inviter_used(world, django_capture_on_commit_callbacks):
    from django.core import mail

    invitation, token = invitation_create(by=world["users"]["staff.pso"], pso=world["pso"],
                                          email="analyst2@pso.example", username="analyst.two",
                                          role=PSORole.ANALYST)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(invitation=invitation, token=token, site_url="http://intranet.example:8000/")
    assert f"http://intranet.example:8000/invitation/{token}/" in mail.outbox[0].body
    assert world["pso"].name in mail.outbox[0].body


def test_reviewers_of_active_full_access_of_active_logins_in_seat_order(world):
    riverside, users = world["agreements"]["riverside"], world["users"]
    assert [m.user for m in reviewers_of(agreement_ids=[riverside.pk])] == [
        m.user for m in Membership.objects.filter(agreement=riverside, role=Role.FULL_ACCESS).order_by("seat")
    ]
    director = users["director.riverside"]
    director.is_active = False
    director.save()
    assert [m.user for m in reviewers_of(agreement_ids=[riverside.pk])] == [users["physicist.riverside"]]
    lakeside = world["agreements"]["lakeside"]
    both = reviewers_of(agreement_ids=[riverside.pk, lakeside.pk])
    assert {m.user for m in both} == {users["physicist.riverside"], users["physicist.lakeside"]}
    assert list(reviewers_of(agreement_ids=[])) == []
