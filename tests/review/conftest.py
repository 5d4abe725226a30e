"""Fixtures of the review tests: the two practices' agreements, their reviewers and signed-in clients."""

import pytest


@pytest.fixture
def riverside(world):
    return world["agreements"]["riverside"]


@pytest.fixture
def lakeside(world):
    return world["agreements"]["lakeside"]


@pytest.fixture
def physicist(users):
    return users["physicist.riverside"]


@pytest.fixture
def director(users):
    return users["director.riverside"]


@pytest.fixture
def client_for(client, users):
    """A test client signed in as the named demo user."""

    def _client_for(username):
        client.force_login(users[username])
        return client

    return _client_for
