"""Sign-in facts come from the database on every request, once each, and every change reaches the next request.

The user row, the verified device and the user's tenants are read per request (memoised on the request's user
object only); nothing about who may see what is kept between requests. The same changes are proven across two
server processes in test_revocation_across_processes.py; these run in-process, through the real services.
"""

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from events.models import Event
from practices.choices import AgreementState, Role
from practices.demo import DEMO_TOTP_SECRET
from practices.models import Agreement, Facility, Membership
from practices.services import agreement_transition, membership_deactivate, membership_grant, user_sign_out_everywhere
from tests.factories.events import build_event, form_post

pytestmark = pytest.mark.django_db

# What each signed-in request reads to know who is asking and what they may reach, and how to recognise it.
# The user's row and their tenants come in one query (practices.backends.UserAccessBackend).
SIGN_IN_READS = {
    "session": ('FROM "django_session"',),
    "user and tenants": ("FROM practices_user u", "FROM practices_membership m JOIN practices_agreement a",
                         "UNION ALL", "FROM practices_psomembership p", "WHERE u.id = {user}"),
    "device": ('FROM "otp_totp_totpdevice" WHERE "otp_totp_totpdevice"."id" =',),
}


@pytest.fixture
def verified(client, world, password, settings):
    """physicist.riverside signed in through the login form with a TOTP code, 2FA enforced."""
    settings.ROILS_ENFORCE_2FA = True
    response = client.post(reverse("login"), {"username": "physicist.riverside", "password": password,
                                              "otp_token": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    assert response.status_code == 302
    return client


def _sign_in_reads(client, url, user) -> dict[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return {name: sum(all(m.format(user=user.pk) in q["sql"] for m in markers) for q in ctx.captured_queries)
            for name, markers in SIGN_IN_READS.items()}


def test_every_request_reads_session_user_device_and_tenants_once_each(verified, world):
    """Once each, and nothing more about the login: no second read of the user or the memberships."""
    build_event(agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"])
    event = Event.objects.get()
    for url in (reverse("review:queue"), reverse("review:queue"), reverse("review:event-detail", args=[event.pk]),
                reverse("practices:profile")):
        user = world["users"]["physicist.riverside"]
        assert _sign_in_reads(verified, url, user) == dict.fromkeys(SIGN_IN_READS, 1)
        with CaptureQueriesContext(connection) as ctx:
            verified.get(url)
        user_alone = f'FROM "practices_user" WHERE "practices_user"."id" = {user.pk}'
        assert not [q["sql"] for q in ctx.captured_queries if user_alone in q["sql"]
                    or "FROM practices_membership m JOIN" in q["sql"] and "u.id" not in q["sql"]]


def test_deactivated_membership_ends_access_on_the_next_request(verified, world):
    event = build_event(agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"])
    url = reverse("review:event-detail", args=[event.pk])
    assert verified.get(url).status_code == 200
    membership = Membership.objects.get(user__username="physicist.riverside", agreement=event.agreement)
    membership_deactivate(by=world["users"]["director.riverside"], membership=membership)
    assert verified.get(url).status_code == 404


def test_full_access_changed_to_reporter_loses_the_queue_on_the_next_request(verified, world):
    assert verified.get(reverse("review:queue")).status_code == 200
    membership_grant(by=world["users"]["director.riverside"], agreement=world["agreements"]["riverside"],
                     user=world["users"]["physicist.riverside"], role=Role.REPORTER)
    assert verified.get(reverse("review:queue")).status_code == 404


def test_agreement_state_written_with_update_reaches_the_next_request(world, client):
    """agreement_message_add moves the state with QuerySet.update(), which sends no signal: nothing depends on one."""
    client.force_login(world["users"]["reporter.riverside"])
    assert client.get(reverse("events:event-create")).context["can_submit"]
    Agreement.objects.filter(pk=world["agreements"]["riverside"].pk).update(state=AgreementState.SUSPENDED)
    assert not client.get(reverse("events:event-create")).context["can_submit"]


def test_deactivated_user_is_signed_out_on_the_next_request(verified, world):
    url = reverse("practices:profile")
    assert verified.get(url).status_code == 200
    get_user_model().objects.filter(username="physicist.riverside").update(is_active=False)
    assert verified.get(url).status_code == 302


def test_password_change_ends_other_sessions(verified):
    url = reverse("practices:profile")
    assert verified.get(url).status_code == 200
    user = get_user_model().objects.get(username="physicist.riverside")
    user.set_password("a new long passphrase 42")
    user.save()
    assert verified.get(url).status_code == 302


def test_sign_out_everywhere_ends_other_sessions(verified, world):
    url = reverse("practices:profile")
    assert verified.get(url).status_code == 200
    user_sign_out_everywhere(user=world["users"]["physicist.riverside"])
    assert verified.get(url).status_code == 302


def test_deleted_device_unverifies_the_session(verified):
    url = reverse("review:queue")
    assert verified.get(url).status_code == 200
    TOTPDevice.objects.filter(user__username="physicist.riverside").delete()
    response = verified.get(url)
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_submit_form_facility_list_follows_renames_and_suspensions(world, client):
    client.force_login(world["users"]["reporter.riverside"])
    url = reverse("events:event-create")
    facility = Facility.objects.filter(coverages__agreement=world["agreements"]["riverside"]).first()
    assert facility.name in client.get(url).content.decode()
    Facility.objects.filter(pk=facility.pk).update(name="Renamed Proton Center")
    assert "Renamed Proton Center" in client.get(url).content.decode()
    agreement_transition(agreement=world["agreements"]["riverside"], by=world["users"]["staff.pso"],
                         to=AgreementState.SUSPENDED, note="test")
    assert "Renamed Proton Center" not in client.get(url).content.decode()


def test_site_works_and_keeps_events_with_redis_down(world, settings, password):
    """Redis unreachable (a real closed port, no mock), rate limits on: sign-in, pages and reports work, none lost."""
    settings.CACHES = {"default": {"BACKEND": "foundation.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    settings.RATELIMIT_ENABLE = True  # the one user of the default cache
    client = Client()
    signed_in = client.post(reverse("login"), {"username": "reporter.riverside", "password": password})
    assert signed_in.status_code == 302
    assert client.get(reverse("events:event-create")).status_code == 200
    data = form_post(world["agreements"]["riverside"].coverages.first(),
                     narrative="Couch moved during imaging while the cache was down; caught at review.")
    response = client.post(reverse("events:event-create"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get(response["Location"]).status_code == 200
    assert Event.objects.filter(narrative=data["narrative"]).count() == 1
