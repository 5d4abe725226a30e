"""The events admin: superusers may look events up; nobody adds, changes or deletes them there."""

import pytest
from django.urls import reverse

from practices.models import User
from tests.factories.events import build_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(users, coverages):
    return build_event(agreement=coverages["Main Campus"].agreement, user=users["reporter.riverside"], notify=False)


def test_event_admin_superuser_can_view_not_add_change_or_delete(client, event):
    admin = User.objects.create_superuser("root", "root@example.com", "x-very-long-password")
    client.force_login(admin)
    assert client.get(reverse("admin:events_event_changelist")).status_code == 200
    page = client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert page.status_code == 200 and event.reference in page.content.decode()
    assert client.get(reverse("admin:events_event_add")).status_code == 403
    assert client.post(reverse("admin:events_event_change", args=[event.pk]), {"status": "closed"}).status_code == 403
    assert client.get(reverse("admin:events_event_delete", args=[event.pk])).status_code == 403


def test_event_admin_staff_without_superuser_sees_nothing(client, event):
    staff = User.objects.create_user("staffer", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:events_event_changelist")).status_code == 403
