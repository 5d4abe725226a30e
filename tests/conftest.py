"""Shared fixtures: the demo world built through the real services, and service checks."""

import socket
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
    from django.core.cache import cache

    cache.clear()
    yield


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
