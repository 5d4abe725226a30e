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


def test_event_admin_views_are_in_the_agreements_access_log(client, event):
    from practices.models import AccessLog
    from review.models import Review

    admin = User.objects.create_superuser("root", "root@example.com", "x-very-long-password")
    review = Review.objects.create(event=event, title="Bolus omitted")
    client.force_login(admin)
    assert client.get(reverse("admin:events_event_changelist")).status_code == 200  # a list is not a view
    assert not AccessLog.objects.filter(username="root").exists()
    assert client.get(reverse("admin:events_event_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:review_review_change", args=[review.pk])).status_code == 200
    rows = AccessLog.objects.filter(username="root", action="view")
    assert rows.count() == 2
    assert {(r.agreement_id, r.object_id, r.object_label) for r in rows} == {
        (event.agreement_id, str(event.pk), f"{event.reference} (admin)")
    }
