"""Two full-access seats per agreement, enforced by the database even under concurrent grants."""

import threading

import pytest
from django.db import connection, connections

from practices.choices import Role
from practices.models import Membership, User
from practices.services import SeatsTaken, membership_grant

pytestmark = pytest.mark.django_db(transaction=True)


def _grant_concurrently(agreement, candidates):
    barrier = threading.Barrier(len(candidates))
    outcomes = []

    def grant(user):
        try:
            barrier.wait()
            membership_grant(by=None, agreement=agreement, user=user, role=Role.FULL_ACCESS)
            outcomes.append("granted")
        except SeatsTaken:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grant, args=(u,)) for u in candidates]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_membership_grant_two_concurrent_grants_of_last_seat_leave_exactly_two(world):
    assert connection.vendor == "postgresql"
    agreement = world["agreements"]["riverside"]
    director = world["users"]["director.riverside"]
    Membership.objects.filter(agreement=agreement, user=director).update(role=Role.REPORTER, seat=None)
    candidates = [User.objects.create(username=f"candidate{i}") for i in range(2)]
    outcomes = _grant_concurrently(agreement, candidates)
    assert sorted(outcomes) == ["granted", "refused"]
    assert Membership.objects.filter(agreement=agreement, role=Role.FULL_ACCESS, is_active=True).count() == 2


def test_membership_grant_eight_concurrent_grants_on_empty_seats_grant_two(world):
    agreement = world["agreements"]["lakeside"]
    Membership.objects.filter(agreement=agreement, role=Role.FULL_ACCESS).update(role=Role.REPORTER, seat=None)
    candidates = [User.objects.create(username=f"rush{i}") for i in range(8)]
    outcomes = _grant_concurrently(agreement, candidates)
    assert outcomes.count("granted") == 2 and outcomes.count("refused") == 6
    seats = Membership.objects.filter(agreement=agreement, role=Role.FULL_ACCESS, is_active=True)
    assert sorted(seats.values_list("seat", flat=True)) == [1, 2]
