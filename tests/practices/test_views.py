"""The agreement page and its actions: who reaches them (one named scope each), and writes through services."""

import pytest
from django.core import mail
from django.urls import reverse

from practices.choices import Role
from practices.models import Agreement, AuditEntry, Facility, Membership
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    """These tests sign in with force_login; the two-factor step is proven by the browser and security tests."""
    settings.ROILS_ENFORCE_2FA = False


@pytest.fixture
def riverside(world):
    return world["agreements"]["riverside"]


@pytest.mark.parametrize(("username", "status"), [
    ("staff.pso", 200), ("physicist.riverside", 200), ("director.riverside", 200),
    ("reporter.riverside", 404), ("general.riverside", 404), ("physicist.lakeside", 404), ("analyst.pso", 404),
])  # fmt: skip
def test_agreement_page_open_to_its_psos_staff_and_its_full_access_users(client, users, riverside, username, status):
    client.force_login(users[username])
    assert client.get(reverse("practices:agreement-detail", args=[riverside.pk])).status_code == status


def test_agreement_page_another_psos_staff_404(client, riverside):
    client.force_login(second_pso()["staff"])
    assert client.get(reverse("practices:agreement-detail", args=[riverside.pk])).status_code == 404


def test_agreement_create_with_a_new_facility_goes_through_the_services(client, users, riverside):
    client.force_login(users["staff.pso"])
    response = client.post(reverse("practices:agreement-create", args=[riverside.pk]),
                           {"new_facility": "Riverside East"})
    assert response.status_code == 302
    facility = Facility.objects.get(practice=riverside.practice, name="Riverside East")
    new = Agreement.objects.exclude(pk=riverside.pk).get(coverages__facility=facility)
    assert AuditEntry.objects.filter(action="facility_created", object_id=str(facility.pk), agreement=riverside,
                                     actor=users["staff.pso"]).exists()
    assert AuditEntry.objects.filter(action="agreement_created", agreement=new).exists()


def test_agreement_create_by_a_full_access_user_404_and_nothing_created(client, users, riverside):
    client.force_login(users["physicist.riverside"])
    response = client.post(reverse("practices:agreement-create", args=[riverside.pk]), {"new_facility": "East"})
    assert response.status_code == 404
    assert not Facility.objects.filter(name="East").exists()


def test_agreement_invite_mails_the_link_on_the_requests_address_after_commit(
    client, users, riverside, django_capture_on_commit_callbacks
):
    client.force_login(users["physicist.riverside"])
    data = {"username": "new.reporter", "email": "new@riverside.example", "role": Role.REPORTER}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("practices:agreement-invite", args=[riverside.pk]), data)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["new@riverside.example"] and "http://testserver/invitation/" in message.body


@pytest.mark.parametrize(("username", "changed"), [
    ("staff.pso", True), ("physicist.riverside", True), ("reporter.riverside", False), ("physicist.lakeside", False),
])  # fmt: skip
def test_membership_role_change_by_the_psos_staff_or_the_agreements_full_access_users(
    client, users, riverside, username, changed
):
    membership = Membership.objects.get(agreement=riverside, user=users["reporter.riverside"])
    client.force_login(users[username])
    response = client.post(reverse("practices:membership-role", args=[membership.pk]), {"role": Role.SHARED})
    membership.refresh_from_db()
    assert response.status_code == (302 if changed else 404)
    assert membership.role == (Role.SHARED if changed else Role.REPORTER)
