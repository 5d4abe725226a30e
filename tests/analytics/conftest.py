"""Fixtures of the analytics tests: the demo world's agreements and signed-in clients."""

import pytest


@pytest.fixture
def riverside(world):
    return world["agreements"]["riverside"]


@pytest.fixture
def lakeside(world):
    return world["agreements"]["lakeside"]


@pytest.fixture
def client_for(client, users):
    """A test client signed in as the named demo user."""

    def _client_for(username):
        client.force_login(users[username])
        return client

    return _client_for
