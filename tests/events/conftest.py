"""Fixtures of the events tests: the demo world's coverages and a signed-in client per demo login."""

import pytest

from practices.models import Coverage


@pytest.fixture
def coverages(world):
    """Coverage rows by facility name: 'Main Campus', 'North Clinic', 'Lakeside Radiation Oncology'."""
    return {c.facility.name: c for c in Coverage.objects.select_related("facility", "agreement")}


@pytest.fixture
def client_for(client, users):
    """A test client signed in as the named demo user."""

    def _client_for(username):
        client.force_login(users[username])
        return client

    return _client_for
