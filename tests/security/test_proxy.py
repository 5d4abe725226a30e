"""Behind a reverse proxy, rate limits, lockouts and the access log see each client, not the proxy."""

import pytest
from django.urls import reverse

from foundation.proxy import forwarded_client
from practices.models import AccessLog

PROXY = "192.0.2.10"  # every request reaches the app from the proxy's address


@pytest.mark.parametrize(
    ("header", "proxies", "client"),
    [
        ("203.0.113.7", 1, "203.0.113.7"),
        ("6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),  # the left entry was sent by the client: not trusted
        ("203.0.113.7, 198.51.100.2", 2, "203.0.113.7"),  # two proxies: the second from the right
        ("203.0.113.7", 2, None),  # fewer entries than proxies: the header skipped one of them
        ("not-an-address", 1, None),
        ("2001:db8::1", 1, "2001:db8::1"),
        ("203.0.113.7", 0, None),  # no proxy trusted: the header is whatever the client wrote
        ("", 1, None),
    ],
)
def test_forwarded_client(header, proxies, client):
    assert forwarded_client(header, proxies) == client


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_ENABLED = True
    settings.RATELIMIT_ENABLE = True
    return settings


def _login(client, username, forwarded_for):
    return client.post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=PROXY,
                       HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.django_db
def test_clients_behind_one_proxy_have_their_own_sign_in_limit(client, world, behind_proxy):
    # 40 failed sign-ins, each from its own client, through the same proxy: the per-address limit (30 a minute)
    # counts each client, so none of them is refused.
    statuses = [_login(client, f"nobody{i}", f"203.0.113.{i + 1}").status_code for i in range(40)]
    assert statuses == [200] * 40
    # One client sending too many is held back, through the same proxy.
    statuses = [_login(client, f"someone{i}", "198.51.100.9").status_code for i in range(35)]
    assert 429 in statuses


@pytest.mark.django_db
def test_access_log_records_the_client_behind_the_proxy(client, world, behind_proxy):
    _login(client, "physicist.riverside", "6.6.6.6, 203.0.113.50")
    entry = AccessLog.objects.filter(username="physicist.riverside", action="login_failed").latest("at")
    assert entry.ip_address == "203.0.113.50"


@pytest.mark.django_db
def test_forwarded_for_ignored_when_no_proxy_is_trusted(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    _login(client, "physicist.riverside", "203.0.113.50")
    entry = AccessLog.objects.filter(username="physicist.riverside", action="login_failed").latest("at")
    assert entry.ip_address == PROXY
