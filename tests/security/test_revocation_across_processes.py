"""Revocation reaches the very next request in every process: two real servers, with Redis and without.

Two gunicorn processes, A and B, serve the app with the production settings (roils.settings.base; DEBUG on only
so that plain HTTP is accepted) against the test database. With REDIS_URL set they share Redis; without it each
keeps a local-memory cache of its own, the setup in which a cached role used to outlive its removal by two
minutes. A user signs in through A's login form, the test makes a change through the real service (committed:
these tests run outside a transaction), and the very next request to B, and to A, must reflect it.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from events.models import Event
from practices.choices import AgreementState, Role
from practices.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from practices.models import Membership, User
from practices.services import agreement_transition, membership_deactivate, membership_grant
from tests.factories.events import form_post

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_SECONDS = 40  # both servers importing Django at once on a busy 2-core machine
REQUEST_SECONDS = 15
LOGIN = "/accounts/login/"
SUBMIT = "/events/new/"
QUEUE = "/review/"
REFUSED = "Events cannot be submitted right now"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(alias: str) -> str:
    db = settings.DATABASES[alias]  # pytest-django has pointed NAME at the test database
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """One gunicorn process (a master and one worker, in a process group of their own) serving roils."""

    def __init__(self, name: str, env: dict):
        self.name, self.port = name, _free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server; closed in stop())
        self.proc = subprocess.Popen(
            [str(GUNICORN), "roils.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "1",
             "--timeout", "30", "--graceful-timeout", "2", "--error-logfile", "-"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server {self.name} exited ({self.proc.returncode}):\n{self.output()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", LOGIN)
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server {self.name} not ready after {START_SECONDS} s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module", params=["redis", "no-redis"])
def servers(request, django_db_setup):
    """Processes A and B on the test database: sharing Redis, or each with a local-memory cache of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PSO_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="roils.settings.base", DEBUG="1", SECRET_KEY="revocation-test-" + "k" * 48,
        DATABASE_URL=_database_url("default"), PSO_DATABASE_URL=_database_url("pso"),
        REDIS_URL=settings.REDIS_URL if request.param == "redis" else "",
        ROILS_ENFORCE_2FA="1", AXES_ENABLED="1", RATELIMIT_ENABLE="1", LOG_LEVEL="WARNING",
        CELERY_BROKER_URL="memory://",  # nothing here publishes a task; none may reach a shared broker either
    )
    pair = [Server("A", env), Server("B", env)]
    try:
        deadline = time.monotonic() + START_SECONDS
        for server in pair:
            server.wait_ready(deadline)
        yield pair
    finally:
        for server in pair:
            server.stop()


@pytest.fixture(scope="module")
def password_hash():
    """DEMO_PASSWORD hashed as the servers hash passwords (the tests' own hasher is a fast one they do not know)."""
    hasher = PBKDF2PasswordHasher()
    return hasher.encode(DEMO_PASSWORD, hasher.salt())


class Browser:
    """Keeps cookies like a browser (for the host, whatever the port) and never follows a redirect."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, server: Server, method: str, path: str, data: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get(settings.CSRF_COOKIE_NAME, "")}
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_SECONDS)
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers.get("Location", ""), text

    def get(self, server, path):
        return self.request(server, "GET", path)

    def post(self, server, path, data):
        return self.request(server, "POST", path, data)


def _sign_in(server: Server, username: str, *, totp: bool = False) -> Browser:
    browser = Browser()
    assert browser.get(server, LOGIN)[0] == 200
    data = {"username": username, "password": DEMO_PASSWORD}
    if totp:
        data["otp_token"] = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    status, location, text = browser.post(server, LOGIN, data)
    assert status == 302, re.sub(r"\s+", " ", text)[-600:]
    return browser


def _sends_to_login(response) -> bool:
    status, location, _text = response
    return status == 302 and location.startswith(LOGIN)


@pytest.fixture
def signed_in(servers, world, password_hash):
    """Sign a demo user in through A's form (the servers check the password with their own hasher)."""
    User.objects.update(password=password_hash)

    def _signed_in(username, *, totp=False):
        return _sign_in(servers[0], username, totp=totp)

    return _signed_in


def test_revocation_deactivated_membership_ends_access_in_both_processes(servers, signed_in, world):
    a, b = servers
    reporter = signed_in("reporter.riverside")
    assert reporter.get(b, SUBMIT)[0] == 200
    membership = Membership.objects.get(user__username="reporter.riverside", agreement=world["agreements"]["riverside"])
    membership_deactivate(by=world["users"]["director.riverside"], membership=membership)
    assert reporter.get(b, SUBMIT)[0] == 404
    assert reporter.get(a, SUBMIT)[0] == 404


def test_revocation_full_access_changed_to_reporter_loses_the_queue_in_both_processes(servers, signed_in, world):
    a, b = servers
    physicist = signed_in("physicist.riverside", totp=True)
    assert physicist.get(b, QUEUE)[0] == 200
    membership_grant(by=world["users"]["director.riverside"], agreement=world["agreements"]["riverside"],
                     user=world["users"]["physicist.riverside"], role=Role.REPORTER)
    assert physicist.get(b, QUEUE)[0] == 404
    assert physicist.get(a, QUEUE)[0] == 404


def test_revocation_suspended_agreement_refuses_submit_event_in_both_processes(servers, signed_in, world):
    a, b = servers
    reporter = signed_in("reporter.riverside")
    status, _location, page = reporter.get(b, SUBMIT)
    assert status == 200 and REFUSED not in page
    agreement_transition(agreement=world["agreements"]["riverside"], by=world["users"]["staff.pso"],
                         to=AgreementState.SUSPENDED, note="lapsed")
    status, _location, page = reporter.get(b, SUBMIT)
    assert status == 200 and REFUSED in page
    coverage = world["agreements"]["riverside"].coverages.first()
    status, _location, page = reporter.post(a, SUBMIT, form_post(coverage))
    assert status == 200 and REFUSED in page
    assert not Event.objects.exists()


def test_revocation_sign_out_everywhere_ends_the_other_session_in_both_processes(servers, signed_in):
    a, b = servers
    laptop = signed_in("reporter.riverside")
    phone = signed_in("reporter.riverside")
    assert phone.get(b, SUBMIT)[0] == 200
    assert _sends_to_login(laptop.post(a, "/accounts/logout/everywhere/", {}))
    assert _sends_to_login(phone.get(b, SUBMIT))
    assert _sends_to_login(phone.get(a, SUBMIT))


def test_revocation_sign_out_in_a_leaves_the_same_cookie_anonymous_at_b(servers, signed_in):
    a, b = servers
    reporter = signed_in("reporter.riverside")
    assert reporter.get(b, SUBMIT)[0] == 200
    kept = dict(reporter.cookies)  # what a copy of the cookie, or a second tab's stale one, still holds
    assert _sends_to_login(reporter.post(a, "/accounts/logout/", {}))
    reporter.cookies = kept
    assert _sends_to_login(reporter.get(b, SUBMIT))
    assert _sends_to_login(reporter.get(a, SUBMIT))
