"""The authentication backend reads the signed-in user and their tenants in one query (practices.backends): what it
finds must be exactly what the memberships query alone finds, for every kind of membership and agreement state."""

import datetime as dt
import random

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practices.backends import UserAccessBackend
from practices.choices import AgreementState, PSORole, Role
from practices.models import PSO, Agreement, Membership, PSOMembership
from practices.scoping import NO_ACCESS, _read_access, user_with_access

pytestmark = pytest.mark.django_db
User = get_user_model()


def _fresh(user):
    """A new copy of the user, as the next request would build it (nothing memoised)."""
    return User.objects.get(pk=user.pk)


def test_access_read_with_the_user_equals_the_memberships_query(world):
    rng = random.Random(19)
    agreements = list(Agreement.objects.all())
    psos = list(PSO.objects.all())
    users = list(User.objects.all())
    seats = dict(Membership.objects.values_list("pk", "seat"))  # a full-access seat is held by active members only
    now = timezone.now()
    for _round in range(12):
        # Shake the world: agreement states, end dates inside and outside retention, memberships on and off.
        for agreement in agreements:
            state = rng.choice(list(AgreementState))
            ended_at = now - dt.timedelta(days=rng.choice([1, 30, 400, 4000])) if state in (
                AgreementState.TERMINATED, AgreementState.SUSPENDED) and rng.random() < 0.8 else None
            Agreement.objects.filter(pk=agreement.pk).update(state=state, ended_at=ended_at,
                                                             retention_days=rng.choice([30, 365, 3650]))
        for pk, seat in seats.items():
            active = rng.random() < 0.8
            Membership.objects.filter(pk=pk).update(is_active=active, seat=seat if active else None)
        PSOMembership.objects.filter(pk__in=[m.pk for m in PSOMembership.objects.all() if rng.random() < 0.3]).update(
            is_active=False)
        for user in rng.sample(users, 3):
            if rng.random() < 0.5:
                PSOMembership.objects.update_or_create(user=user, pso=rng.choice(psos), defaults={
                    "role": rng.choice(list(PSORole)), "is_active": True})
        for user in users:
            read = user_with_access(user.pk)
            assert read is not None and read.pk == user.pk and read.username == user.username
            assert read.password == user.password and read.last_login == _fresh(user).last_login
            assert read._roils_access == _read_access(_fresh(user)), user.username


def test_a_user_without_memberships_and_an_inactive_user(world):
    loner = User.objects.create_user("loner", password="x" * 16)
    assert user_with_access(loner.pk)._roils_access == NO_ACCESS
    assert user_with_access(loner.pk + 10_000) is None
    member = world["users"]["physicist.riverside"]
    assert Membership.objects.filter(user=member, role=Role.FULL_ACCESS).exists()
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert UserAccessBackend().get_user(member.pk) is None  # and so AuthenticationMiddleware finds nobody


def test_signed_in_pages_use_the_one_query(world, password):
    client = Client()
    assert client.post(reverse("login"), {"username": "reporter.riverside", "password": password}).status_code == 302
    response = client.get(reverse("events:event-create"))
    assert response.status_code == 200 and response.context["can_submit"]
    assert response.wsgi_request.user._roils_access.submit  # set by the backend, not read again by the page
