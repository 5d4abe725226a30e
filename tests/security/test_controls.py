"""Each security control, proved: 2FA per role, lockout, CSP, idle timeout, rate limits, access log, sign-out."""

import base64

import pyotp
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from practices.demo import DEMO_TOTP_SECRET
from practices.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def controls_on(settings):
    settings.ROILS_ENFORCE_2FA = True
    settings.AXES_ENABLED = True
    settings.RATELIMIT_ENABLE = True
    return settings


def _code():
    return pyotp.TOTP(DEMO_TOTP_SECRET).now()


def _demo_key():
    """The demo secret as django-otp stores a TOTP key (hex)."""
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


def _login(client, username, password, otp=None, **extra):
    data = {"username": username, "password": password}
    if otp is not None:
        data["otp_token"] = otp
    return client.post(reverse("login"), data, **extra)


@pytest.mark.parametrize("username", ["physicist.riverside", "director.riverside", "staff.pso", "analyst.pso"])
def test_login_two_factor_role_without_code_refused(client, world, password, controls_on, username):
    response = _login(client, username, password)
    assert response.status_code == 200
    assert "Enter the 6-digit code" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("username", ["physicist.riverside", "staff.pso", "analyst.pso"])
def test_login_two_factor_role_with_code_signs_in_verified(client, world, password, controls_on, username):
    response = _login(client, username, password, otp=_code())
    assert response.status_code == 302
    assert client.get(reverse("practices:profile")).status_code == 200


def test_admin_accounts_need_two_factor(client, world, password, controls_on):
    from practices.models import User

    admin = User.objects.create_superuser("root.admin", "root@x.example", password)
    client.force_login(admin)  # as if signed in without a code
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor-setup"))
    TOTPDevice.objects.create(user=admin, name="Authenticator", confirmed=True, key=_demo_key())
    client.logout()
    assert "Enter the 6-digit code" in _login(client, "root.admin", password).content.decode()
    assert _login(client, "root.admin", password, otp=_code()).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_page_is_the_sign_in_form(client, world):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("login") + "?next=%2Fadmin%2F"
    assert 'name="otp_token"' in response.content.decode()


def test_login_wrong_code_refused_with_clear_message(client, world, password, controls_on):
    response = _login(client, "physicist.riverside", password, otp="000000" if _code() != "000000" else "111111")
    assert "wrong or has expired" in response.content.decode()


def test_two_factor_optional_for_reporters(client, world, password, controls_on):
    assert not TOTPDevice.objects.filter(user__username="reporter.riverside").exists()
    assert _login(client, "reporter.riverside", password).status_code == 302
    assert client.get(reverse("practices:profile")).status_code == 200


def test_two_factor_reviewer_without_device_must_set_one_up(client, world, controls_on):
    TOTPDevice.objects.filter(user__username="director.riverside").delete()
    client.force_login(world["users"]["director.riverside"])
    response = client.get(reverse("practices:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor-setup"))
    page = client.get(response["Location"])
    assert "Set up your authenticator app" in page.content.decode()
    code = pyotp.TOTP(page.context["secret"].replace(" ", "")).now()
    done = client.post(response["Location"], {"otp_token": code, "setup_key": page.context["setup_key"]})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(user__username="director.riverside").confirmed
    assert client.get(reverse("practices:profile")).status_code == 200


def test_two_factor_session_not_verified_is_sent_to_verify(client, world, controls_on):
    client.force_login(world["users"]["analyst.pso"])
    response = client.get(reverse("practices:profile"))
    assert response["Location"].startswith(reverse("two-factor-verify"))


def test_lockout_after_repeated_failures_with_clear_message(client, world, password, controls_on):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        _login(client, "reporter.riverside", "wrong-password")
    response = _login(client, "reporter.riverside", password)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_lockout_counts_wrong_authenticator_codes(client, world, password, controls_on):
    wrong = str((int(_code()) + 1) % 1_000_000).zfill(6)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "physicist.riverside", password, otp=wrong)
        assert response.status_code == 200 and "authenticator code is wrong" in response.content.decode()
    _login(client, "physicist.riverside", password, otp=wrong)
    response = _login(client, "physicist.riverside", password, otp=_code())
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_two_factor_verify_wrong_codes_lock_out_and_end_the_session(client, world, controls_on):
    client.force_login(world["users"]["analyst.pso"])
    wrong = str((int(_code()) + 1) % 1_000_000).zfill(6)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("two-factor-verify"), {"otp_token": wrong}).status_code == 200
    response = client.post(reverse("two-factor-verify"), {"otp_token": wrong})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_csp_header_strict_without_unsafe_inline(client, world):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_login_page_has_no_inline_script(client):
    body = client.get(reverse("login")).content.decode()
    assert "<script>" not in body and " onclick=" not in body


def test_idle_session_is_refreshed_at_most_once_a_minute(client, world):
    from practices.sessions import TOUCH_KEY

    client.force_login(world["users"]["reporter.riverside"])
    client.get(reverse("practices:profile"))
    first = client.session[TOUCH_KEY]
    client.get(reverse("practices:profile"))
    assert client.session[TOUCH_KEY] == first
    session = client.session
    session[TOUCH_KEY] = first - 61
    session.save()
    client.get(reverse("practices:profile"))
    assert client.session[TOUCH_KEY] >= first


def test_idle_session_expires_and_requires_login(client, world, settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    client.force_login(world["users"]["reporter.riverside"])
    session = client.session
    session.set_expiry(-1)  # as if idle past the timeout
    session.save()
    response = client.get(reverse("practices:profile"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_rate_limit_login_per_address_answers_429(client, world, controls_on):
    statuses = [_login(client, f"nobody{i}", "x").status_code for i in range(35)]
    assert 429 in statuses
    assert "Too many requests" in _login(client, "nobody", "x").content.decode()


def test_rate_limit_login_per_account_across_addresses(client, world, controls_on):
    # Every guess from a new address: django-axes (per username and address) never locks out, this limit does.
    statuses = [_login(client, "physicist.riverside", f"guess-{i}", REMOTE_ADDR=f"10.0.0.{i + 1}").status_code
                for i in range(45)]
    assert statuses[:20] == [200] * 20 and 429 in statuses
    # Other accounts are not held back by it.
    assert _login(client, "reporter.riverside", "x", REMOTE_ADDR="10.0.1.2").status_code == 200


def test_rate_limit_login_counts_an_account_as_the_sign_in_form_reads_it():
    from django.test import RequestFactory

    from practices.views.account import _sign_in_account

    spellings = ["physicist.riverside", " physicist.riverside ", "\uff50hysicist.riverside"]  # fullwidth p: NFKC
    keys = {_sign_in_account("login", RequestFactory().post("/", {"username": name})) for name in spellings}
    assert keys == {"physicist.riverside"}


def test_rate_limit_password_reset_per_account_across_addresses(client, world, controls_on):
    statuses = [client.post(reverse("password_reset"), {"email": "someone@x.example"},
                            REMOTE_ADDR=f"10.0.2.{i + 1}").status_code for i in range(8)]
    assert statuses[:5] == [302] * 5 and statuses[-1] == 429


def test_rate_limit_password_reset_per_address(client, world, controls_on):
    statuses = [client.post(reverse("password_reset"), {"email": f"a{i}@x.example"}).status_code for i in range(8)]
    assert statuses[:5] == [302] * 5 and statuses[-1] == 429


def test_access_log_records_sign_in_for_each_agreement(client, world, password, controls_on):
    _login(client, "reporter.riverside", password)
    entry = AccessLog.objects.get(action="login", username="reporter.riverside")
    assert entry.agreement == world["agreements"]["riverside"]
    assert entry.ip_address == "127.0.0.1"


def test_access_log_failed_sign_in_recorded(client, world, controls_on):
    _login(client, "reporter.riverside", "nope")
    assert AccessLog.objects.filter(action="login_failed", username="reporter.riverside").exists()


def test_access_log_visible_to_full_access_only_and_scoped(client, world, password, controls_on):
    _login(client, "reporter.lakeside", password)
    client.logout()
    client.force_login(world["users"]["physicist.riverside"])
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user__username="physicist.riverside").persistent_id
    session.save()
    page = client.get(reverse("practices:accesslog-list")).content.decode()
    assert "reporter.lakeside" not in page
    client.force_login(world["users"]["reporter.riverside"])
    assert client.get(reverse("practices:accesslog-list")).status_code == 404


def test_sign_out_everywhere_ends_other_sessions(client, world):
    from django.test import Client

    other = Client()
    user = world["users"]["reporter.riverside"]
    client.force_login(user)
    other.force_login(user)
    assert other.get(reverse("practices:profile")).status_code == 200
    client.post(reverse("logout-everywhere"))
    assert other.get(reverse("practices:profile")).status_code == 302


def test_rate_limit_event_submission_per_user(client, world, controls_on):
    client.force_login(world["users"]["reporter.riverside"])
    url = reverse("events:event-create")
    # 30 a minute, counted in fixed windows: 62 posts cover two windows, so one of them fills even when the
    # posts straddle a window's end.
    statuses = [client.post(url, {"narrative": ""}).status_code for _ in range(62)]
    assert statuses[:30] == [200] * 30
    assert 429 in statuses


def test_access_log_records_event_view_and_export(client, world):
    from tests.factories.events import build_event

    agreement = world["agreements"]["riverside"]
    event = build_event(agreement=agreement, user=world["users"]["reporter.riverside"])
    client.force_login(world["users"]["physicist.riverside"])
    assert client.get(reverse("review:event-detail", args=[event.pk])).status_code == 200
    assert client.get(reverse("review:queue-export", args=["csv"])).status_code == 200
    rows = AccessLog.objects.filter(username="physicist.riverside", agreement=agreement)
    assert rows.filter(action="view", object_label=event.reference).exists()
    assert rows.filter(action="export").exists()
