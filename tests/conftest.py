"""Shared fixtures: the demo world built through the real services, and service checks."""

import socket
import threading
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

from practices.demo import DEMO_PASSWORD

pytest_plugins = ["tests.browser.fixtures"]

_UNGUARDED_ENSURE_CONNECTION = BaseDatabaseWrapper.ensure_connection  # before any test class patches it


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    """Fail at once, loudly, when a service the suite needs is down: tests are never skipped for it."""
    if not _reachable(settings.REDIS_URL, 6379):
        raise pytest.UsageError(f"Redis is not reachable at {settings.REDIS_URL}; start it (see .ci/run).")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        _database_guards_off()


def _database_guards_off() -> None:
    """Take off the database guards that a test left on because its teardown failed half-way.

    pytest-django's teardown is not a try/finally: when the flush fails, the test's class cleanups never run, and
    its guards (the databases it did not declare refuse connections and queries) stay on. Every later test of
    those databases would then fail with DatabaseOperationForbidden, hiding the one real error, which the failed
    test still reports.
    """
    from django.db import connections
    from django.test.testcases import SimpleTestCase, _DatabaseFailure

    if BaseDatabaseWrapper.ensure_connection is not _UNGUARDED_ENSURE_CONNECTION:
        BaseDatabaseWrapper.ensure_connection = _UNGUARDED_ENSURE_CONNECTION
    for alias in connections:
        connection = connections[alias]
        for name, _operation in SimpleTestCase._disallowed_connection_methods:
            method = connection.__dict__.get(name)
            if isinstance(method, _DatabaseFailure):
                while isinstance(method, _DatabaseFailure):
                    method = method.wrapped
                setattr(connection, name, method)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached values never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


class _LiveServerGate:
    """The live server's WSGI app behind a gate that a test's teardown shuts before the database is flushed.

    A page's scripts can still be talking to the server when a test ends: closing a page with an unsaved report
    sends the draft with a keepalive request, which may reach the server after the test. A request still running
    while the test database is truncated deadlocks the TRUNCATE; the flush fails, and pytest-django then skips the
    rest of its teardown, so the test's database guards stay on and every later test of the other database fails.
    Shutting the gate waits for the requests in flight and answers late ones 503 without touching the database.
    """

    def __init__(self, app):
        self.app = app
        self.is_open = True
        self.in_flight = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            if not self.is_open:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"The test is over."]
            self.in_flight += 1
        try:
            result = self.app(environ, start_response)
            try:
                return list(result)  # the whole response, so that its database work is done inside the gate
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self.changed:
                self.in_flight -= 1
                self.changed.notify_all()

    def open(self) -> None:
        with self.changed:
            self.is_open = True

    def shut(self, timeout: float = 30) -> None:
        with self.changed:
            self.is_open = False
            if not self.changed.wait_for(lambda: self.in_flight == 0, timeout):
                raise RuntimeError(f"{self.in_flight} live-server request(s) still running {timeout} s after the test")


@pytest.fixture(autouse=True)
def _live_server_gate(request):
    """For a test on the live server: the gate open while it runs, shut before its database is flushed."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so that it is torn down after the gate is shut
    httpd = request.getfixturevalue("live_server").thread.httpd
    gate = httpd.get_app()
    if not isinstance(gate, _LiveServerGate):
        gate = _LiveServerGate(gate)
        httpd.set_app(gate)
    gate.open()
    yield
    gate.shut()


@pytest.fixture
def page(page):
    """pytest-playwright's page, with its context closed when the test ends (its late requests meet a shut gate)."""
    yield page
    page.context.close()


@pytest.fixture
def password():
    return DEMO_PASSWORD


@pytest.fixture
def world(db):
    """The demo world: one PSO, Riverside (two facilities) and Lakeside, with every demo login."""
    from practices.demo import seed_world

    return seed_world()


@pytest.fixture
def users(world):
    return world["users"]
