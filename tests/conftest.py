"""Shared fixtures: the demo world built through the real services, and service checks."""

import socket
import time
from urllib.parse import urlparse

import pytest
from django.conf import settings

from practices.demo import DEMO_PASSWORD

pytest_plugins = ["tests.browser.fixtures"]


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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached values never leak from one test into the next."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["fragments"].clear()
    yield


@pytest.fixture
def page(page, live_server):
    """pytest-playwright's page, closed, and the live server's queries finished, before the database is flushed.

    A page's scripts (the draft autosave) can still be talking to the server when a test ends; a query still
    running while the test database is truncated deadlocks the TRUNCATE and leaves rows for the next tests.
    """
    yield page
    page.context.close()
    _wait_for_other_queries()


def _wait_for_other_queries(seconds: float = 10) -> None:
    """Until no other session of the test database is running a statement or holding a transaction open."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


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
