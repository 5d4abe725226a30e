"""Practice pages run the same number of SQL queries whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practices.choices import Role
from practices.models import AccessLog, User
from practices.services import FacilityData, membership_grant, participation_submit

pytestmark = pytest.mark.django_db

PRACTICE = {"address_line1": "1 Main St", "city": "Boston", "state": "MA", "zip_code": "02110",
            "contact_name": "C", "contact_email": "c@x.example"}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, n):
    agreement = world["agreements"]["riverside"]
    for i in range(n):
        participation_submit(pso=world["pso"], practice_data={**PRACTICE, "name": f"P{i}-{n}"},
                             facilities=[FacilityData(f"F{i}"), FacilityData(f"G{i}")])
        user = User.objects.create(username=f"grow{i}-{n}")
        membership_grant(by=None, agreement=agreement, user=user, role=Role.REPORTER)
        AccessLog.objects.create(username=user.username, agreement=agreement, action="login")


@pytest.mark.parametrize("username,url_name,kwargs", [
    ("staff.pso", "practices:enrolment-queue", None),
    ("staff.pso", "practices:agreement-detail", "riverside"),
    ("physicist.riverside", "practices:agreement-detail", "riverside"),
    ("physicist.riverside", "practices:agreement-mine", None),
    ("physicist.riverside", "practices:accesslog-list", None),
    ("staff.pso", "practices:pso-people", None),
])
def test_practice_pages_constant_queries(client, world, username, url_name, kwargs):
    client.force_login(world["users"][username])
    url = reverse(url_name, args=[world["agreements"][kwargs].pk] if kwargs else None)
    _grow(world, 2)
    small = _count(client, url)
    _grow(world, 25)
    large = _count(client, url)
    assert small == large, f"{url_name}: {small} queries with little data, {large} with more"
