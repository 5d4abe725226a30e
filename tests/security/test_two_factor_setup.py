"""Pairing an authenticator: opening the page stores nothing; a confirmed code stores one confirmed device."""

import pyotp
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/setup/"
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def director(client, world, settings):
    """director.riverside (full access) without an authenticator, signed in, 2FA enforced."""
    settings.ROILS_ENFORCE_2FA = True
    TOTPDevice.objects.filter(user__username="director.riverside").delete()
    client.force_login(world["users"]["director.riverside"])
    return client


def _code(page) -> str:
    return pyotp.TOTP(page.context["secret"].replace(" ", "")).now()


def test_two_factor_setup_get_writes_nothing(director):
    with CaptureQueriesContext(connection) as queries:
        first = director.get(SETUP)
        second = director.get(SETUP)
    assert first.status_code == second.status_code == 200
    assert 'alt="QR code for your authenticator app"' in first.content.decode()
    assert [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)] == []
    assert not TOTPDevice.objects.filter(user__username="director.riverside").exists()
    assert first.context["secret"] != second.context["secret"]  # nothing kept: each visit draws a new key


def test_two_factor_setup_wrong_code_stores_nothing_and_keeps_the_key(director):
    page = director.get(SETUP)
    wrong = "000000" if _code(page) != "000000" else "111111"
    refused = director.post(SETUP, {"otp_token": wrong, "setup_key": page.context["setup_key"]})
    assert refused.status_code == 200 and "does not match" in refused.content.decode()
    assert refused.context["secret"] == page.context["secret"]  # the app already holds this key
    assert not TOTPDevice.objects.filter(user__username="director.riverside").exists()
    done = director.post(SETUP, {"otp_token": _code(page), "setup_key": refused.context["setup_key"]})
    assert done.status_code == 302
    device = TOTPDevice.objects.get(user__username="director.riverside")
    assert device.confirmed and device.user.username == "director.riverside"
    assert pyotp.TOTP(page.context["secret"].replace(" ", "")).byte_secret().hex() == device.key
    assert director.get(reverse("review:queue")).status_code == 200  # the session is verified by it


def test_two_factor_setup_altered_or_foreign_key_is_refused(director, world):
    from django.test import Client

    page = director.get(SETUP)
    signed = page.context["setup_key"]
    altered = signed[:-2] + ("AA" if not signed.endswith("AA") else "BB")
    refused = director.post(SETUP, {"otp_token": _code(page), "setup_key": altered})
    assert refused.status_code == 200 and "open too long" in refused.content.decode()
    other = Client()
    other.force_login(world["users"]["reporter.riverside"])  # may pair one too (optional for reporters)
    foreign = other.get(SETUP)
    refused = director.post(SETUP, {"otp_token": _code(foreign), "setup_key": foreign.context["setup_key"]})
    assert refused.status_code == 200 and "open too long" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user__username="director.riverside").exists()


def test_two_factor_setup_same_form_twice_stores_one_device(director):
    page = director.get(SETUP)
    data = {"otp_token": _code(page), "setup_key": page.context["setup_key"]}
    assert director.post(SETUP, data).status_code == 302
    director.post(SETUP, data)
    assert TOTPDevice.objects.filter(user__username="director.riverside").count() == 1


def test_two_factor_setup_code_cannot_sign_in_again(director, client, password):
    from django.test import Client

    page = director.get(SETUP)
    code = _code(page)
    assert director.post(SETUP, {"otp_token": code, "setup_key": page.context["setup_key"]}).status_code == 302
    response = Client().post(reverse("login"), {"username": "director.riverside", "password": password,
                                                "otp_token": code})
    assert response.status_code == 200 and "wrong or has expired" in response.content.decode()


def test_two_factor_setup_unverified_session_of_a_paired_account_is_sent_to_verify(client, world, settings):
    settings.ROILS_ENFORCE_2FA = True
    client.force_login(world["users"]["physicist.riverside"])  # has a device; this session has not proved it
    response = client.get(SETUP + "?next=/review/")
    assert response.status_code == 302 and response["Location"] == reverse("two-factor-verify") + "?next=%2Freview%2F"
    assert client.post(SETUP, {"otp_token": "123456", "setup_key": "x"}).status_code == 302
    assert TOTPDevice.objects.filter(user__username="physicist.riverside").count() == 1
