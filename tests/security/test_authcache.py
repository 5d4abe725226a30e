"""Sign-in facts come from the cache, and every change that matters reaches the next request.

practices.authcache keeps the user row, the verified device and the user's tenants in Redis. These tests
warm the cache with a real request, make the change through the real service (or a plain save), and check
the very next request sees it: a cache that served yesterday's roles would be a tenancy breach.
"""


import pyotp
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from practices.choices import AgreementState
from practices.demo import DEMO_TOTP_SECRET
from practices.models import Agreement, Membership
from practices.services import agreement_message_add, membership_deactivate, user_sign_out_everywhere
from tests.factories.events import build_event, form_post

pytestmark = pytest.mark.django_db

SIGN_IN_TABLES = ("practices_user", "practices_membership", "practices_psomembership", "otp_totp_totpdevice")


@pytest.fixture
def verified(client, world, password, settings):
    """physicist.riverside signed in through the login form with a TOTP code, 2FA enforced."""
    settings.ROILS_ENFORCE_2FA = True
    response = client.post(reverse("login"), {"username": "physicist.riverside", "password": password,
                                              "otp_token": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    assert response.status_code == 302
    return client


def _sign_in_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if any(f'"{t}"' in q["sql"] for t in SIGN_IN_TABLES)]


def test_warm_request_reads_no_sign_in_rows(verified):
    url = reverse("review:queue")
    cache.clear()
    cold = _sign_in_queries(verified, url)
    assert len(cold) == 4  # user, device, memberships, PSO memberships
    assert _sign_in_queries(verified, url) == []


def test_deactivated_membership_ends_access_at_once(verified, world):
    event = build_event(agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"])
    url = reverse("review:event-detail", args=[event.pk])
    assert verified.get(url).status_code == 200  # warm
    membership = Membership.objects.get(user__username="physicist.riverside", agreement=event.agreement)
    membership_deactivate(by=world["users"]["director.riverside"], membership=membership)
    assert verified.get(url).status_code == 404


def test_agreement_state_written_with_update_reaches_cached_access(world):
    """agreement_message_add moves the state with QuerySet.update(), which sends no signal."""
    agreement = world["agreements"]["riverside"]
    Agreement.objects.filter(pk=agreement.pk).update(state=AgreementState.AGREEMENT_SENT)
    from practices.scoping import user_access

    director = world["users"]["director.riverside"]
    assert agreement.pk in user_access(director).manage
    agreement.refresh_from_db()
    agreement_message_add(agreement=agreement, by=director, body="Please change clause 4.")
    fresh = type(director).objects.get(pk=director.pk)  # a new request: no per-request copy
    assert Agreement.objects.get(pk=agreement.pk).state == AgreementState.CHANGES_PROPOSED
    assert user_access(fresh).roles == user_access(director).roles
    assert agreement.pk not in user_access(fresh).submit


def test_deactivated_user_is_signed_out_on_next_request(verified, world):
    url = reverse("practices:profile")
    assert verified.get(url).status_code == 200
    user = world["users"]["physicist.riverside"]
    user.is_active = False
    user.save()
    assert verified.get(url).status_code == 302


def test_password_change_ends_other_sessions_despite_cached_row(verified, world):
    url = reverse("practices:profile")
    assert verified.get(url).status_code == 200
    user = type(world["users"]["physicist.riverside"]).objects.get(username="physicist.riverside")
    user.set_password("a new long passphrase 42")
    user.save()
    assert verified.get(url).status_code == 302


def test_sign_out_everywhere_ends_sessions_despite_cached_row(verified, world):
    url = reverse("practices:profile")
    assert verified.get(url).status_code == 200
    user_sign_out_everywhere(user=world["users"]["physicist.riverside"])
    assert verified.get(url).status_code == 302


def test_deleted_device_unverifies_the_session(verified):
    url = reverse("review:queue")
    assert verified.get(url).status_code == 200
    TOTPDevice.objects.filter(user__username="physicist.riverside").delete()
    response = verified.get(url)
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


def test_site_works_and_keeps_events_with_redis_down(world, settings):
    """Redis unreachable (a real closed port, no mock): pages answer from the database and nothing is lost."""
    settings.CACHES = {"default": {"BACKEND": "foundation.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
                       "fragments": settings.CACHES["fragments"]}  # in the worker's memory: never down
    client = Client()
    client.force_login(world["users"]["reporter.riverside"])
    assert client.get(reverse("events:event-create")).status_code == 200
    data = form_post(world["agreements"]["riverside"].coverages.first(),
                     narrative="Couch moved during imaging while the cache was down; caught at review.")
    response = client.post(reverse("events:event-create"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get(response["Location"]).status_code == 200
    from events.models import Event

    assert Event.objects.filter(narrative=data["narrative"]).count() == 1


def test_submit_form_facility_list_follows_renames_and_suspensions(world, client):
    """The submit form's facility list is cached with the tenants; writes to facilities or agreements void it."""
    from practices.choices import AgreementState
    from practices.models import Facility
    from practices.services import agreement_transition

    client.force_login(world["users"]["reporter.riverside"])
    url = reverse("events:event-create")
    facility = Facility.objects.filter(coverages__agreement=world["agreements"]["riverside"]).first()
    assert facility.name in client.get(url).content.decode()  # warm
    facility.name = "Renamed Proton Center"
    facility.save()
    assert "Renamed Proton Center" in client.get(url).content.decode()
    agreement_transition(agreement=world["agreements"]["riverside"], by=world["users"]["staff.pso"],
                         to=AgreementState.SUSPENDED, note="test")
    page = client.get(url).content.decode()
    assert "Renamed Proton Center" not in page


class _CacheReads:
    """Records the keys of every cache read (get, get_many) while it is installed; the reads still happen."""

    def __init__(self, monkeypatch):
        self.calls: list[list[str]] = []
        backend = type(cache._cache) if hasattr(cache, "_cache") else type(cache)
        real_get, real_get_many = backend.get, backend.get_many

        def get(this, key, *args, **kwargs):
            self.calls.append([key])
            return real_get(this, key, *args, **kwargs)

        def get_many(this, keys, *args, **kwargs):
            self.calls.append(list(keys))
            return real_get_many(this, keys, *args, **kwargs)

        monkeypatch.setattr(backend, "get", get)
        monkeypatch.setattr(backend, "get_many", get_many)

    def calls_reading(self, fragment: str) -> list[list[str]]:
        return [keys for keys in self.calls if any(fragment in key for key in keys)]


def test_warm_request_reads_session_and_sign_in_facts_in_one_round_trip(verified, monkeypatch):
    """Session, user row, verified device and tenants come back from one get_many; nothing asks for them again."""
    url = reverse("review:queue")
    assert verified.get(url).status_code == 200  # warm
    reads = _CacheReads(monkeypatch)
    with CaptureQueriesContext(connection) as ctx:
        assert verified.get(url).status_code == 200
    tables = (*SIGN_IN_TABLES, "django_session")
    assert not [q for q in ctx.captured_queries if any(f'"{t}"' in q["sql"] for t in tables)]
    sign_in = [keys for keys in reads.calls if any(
        fragment in key for key in keys for fragment in ("roils:auth:", "roils:access:access:", "sessions.cached_db"))]
    assert len(sign_in) == 1, reads.calls
    (keys,) = sign_in
    for fragment in ("sessions.cached_db", "roils:auth:user:", "roils:auth:device:", "roils:access:access:"):
        assert any(fragment in key for key in keys), fragment


def test_a_foreign_or_stale_sign_in_hint_changes_nothing_but_speed(verified, world, password):
    """The read-ahead cookie names another user: the page is still the session's user's, and the hint is fixed."""
    from practices.authcache import HINT_COOKIE

    other = Client()
    assert other.post(reverse("login"), {"username": "physicist.lakeside", "password": password,
                                         "otp_token": pyotp.TOTP(DEMO_TOTP_SECRET).now()}).status_code == 302
    assert other.get(reverse("review:queue")).status_code == 200
    foreign_hint = other.cookies[HINT_COOKIE].value
    riverside_event = build_event(agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"])
    lakeside_event = build_event(agreement=world["agreements"]["lakeside"], user=world["users"]["reporter.lakeside"])
    for hint in (foreign_hint, "tampered|value"):
        verified.cookies[HINT_COOKIE] = hint
        page = verified.get(reverse("review:queue"))
        assert page.status_code == 200
        assert "physicist.riverside" in page.content.decode()
        assert riverside_event.reference in page.content.decode()
        assert lakeside_event.reference not in page.content.decode()
        assert verified.get(reverse("review:event-detail", args=[lakeside_event.pk])).status_code == 404
        assert page.cookies[HINT_COOKIE].value != hint  # replaced by this session's own


def test_sign_out_drops_the_sign_in_hint(verified):
    from practices.authcache import HINT_COOKIE

    assert verified.get(reverse("review:queue")).status_code == 200
    assert verified.cookies[HINT_COOKIE].value
    response = verified.post(reverse("logout"))
    assert response.cookies[HINT_COOKIE].value == ""  # deleted
    assert verified.get(reverse("review:queue")).status_code == 302  # signed out, whatever the cookie said


def test_write_within_a_request_voids_the_read_ahead(world):
    """After a write in the same request, reads go back to the cache and the database, not the stale read-ahead."""
    from practices.authcache import _prefetched, _user_key, cached_user, forget_user

    user = world["users"]["physicist.riverside"]
    stale = type(user)(pk=user.pk, username="stale-copy")
    token = _prefetched.set({_user_key(user.pk): stale})
    try:
        assert cached_user(user.pk, lambda pk: type(user).objects.get(pk=pk)).username == "stale-copy"
        forget_user(user.pk)  # what every save of the user does
        assert cached_user(user.pk, lambda pk: type(user).objects.get(pk=pk)).username == "physicist.riverside"
    finally:
        _prefetched.reset(token)


@pytest.mark.django_db(transaction=True)
def test_user_fact_set_outside_a_transaction_is_kept_at_once(world):
    from practices.authcache import user_fact, user_fact_set

    user = world["users"]["reporter.riverside"]
    assert user_fact(user.pk, "last-reporter-role", lambda: "computed") == "computed"
    user_fact_set(user.pk, "last-reporter-role", "dosimetrist")
    assert user_fact(user.pk, "last-reporter-role", lambda: pytest.fail("kept, not computed")) == "dosimetrist"


def test_user_fact_set_in_a_transaction_drops_the_old_value_and_keeps_the_new_on_commit(
        world, django_capture_on_commit_callbacks):
    from practices.authcache import user_fact, user_fact_set

    user = world["users"]["reporter.riverside"]
    assert user_fact(user.pk, "last-reporter-role", lambda: "") == ""  # a falsy value is kept too
    assert user_fact(user.pk, "last-reporter-role", lambda: pytest.fail("kept, not computed")) == ""
    with django_capture_on_commit_callbacks() as callbacks:
        user_fact_set(user.pk, "last-reporter-role", "nurse")
        assert user_fact(user.pk, "last-reporter-role", lambda: "from the database") == "from the database"
    for callback in callbacks:  # the commit
        callback()
    assert user_fact(user.pk, "last-reporter-role", lambda: pytest.fail("kept, not computed")) == "nurse"
