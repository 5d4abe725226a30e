"""Look and feel on the review side: next steps after reporting, "Choose…", one date format, empty queue, help."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from foundation import dates
from foundation.taxonomy.events import EventStatus
from practices.templatetags.roils_tags import humanize_code
from tests.factories.review import make_event, review_event

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r">\s*\d{4}-\d{2}-\d{2}")
OTHER_FORMATS = re.compile(r"\b[A-Z][a-z]{2}\.? \d{1,2}, \d{4}\b")  # "Dec. 2, 2026", "Dec 2, 2026"


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    settings.ROILS_ENFORCE_2FA = False


@pytest.fixture
def event(world):
    event = make_event(agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"])
    review_event(event)
    return event


def _page(client, users, event) -> str:
    client.force_login(users["physicist.riverside"])
    return client.get(reverse("review:event-detail", args=[event.pk])).content.decode()


def _buttons(content: str) -> list[tuple[str, str]]:
    status = content[content.index('id="h-status"') :]
    status = status[: status.index("</section>")]  # the status card only, not the investigator's panel below it
    return re.findall(r'<button class="btn (btn-[a-z-]+)" type="submit"[^>]*>([^<]+)</button>', status)


def test_event_page_received_primary_button_is_close_not_reopen(client, users, event):
    Event.objects.filter(pk=event.pk).update(status=EventStatus.RECEIVED)
    buttons = _buttons(_page(client, users, event))
    assert buttons[0] == ("btn-primary", "Close")
    assert ("btn-outline-secondary", "Reopen (new revision)") in buttons


@pytest.mark.parametrize("status", [EventStatus.REPORTED, EventStatus.CLOSED])
def test_event_page_reported_or_closed_primary_is_back_to_the_queue(client, users, event, status):
    Event.objects.filter(pk=event.pk).update(status=status)
    content = _page(client, users, event)
    assert re.search(r'<a class="btn btn-primary" href="/review/" data-testid="next-step"', content)
    assert _buttons(content) == [("btn-outline-secondary", "Reopen (new revision)")]


def test_event_page_selects_say_choose_and_dates_have_one_format(client, users, event):
    content = _page(client, users, event)
    assert "---------" not in content and "Choose…" in content
    assert not ISO_DATE.search(content) and not OTHER_FORMATS.search(content)
    assert dates.day(event.event_date) in content  # "2 Dec 2026"


def test_event_page_status_panel_is_sticky_and_help_links_the_glossary(client, users, event):
    content = _page(client, users, event)
    assert 'class="status-panel"' in content
    assert reverse("glossary") in content
    assert "AHRQ Common Formats harm scale" in content  # the harm question's inline help


def test_queue_dates_one_format_and_activity_just_now(client, users, event):
    client.force_login(users["physicist.riverside"])
    content = client.get(reverse("review:queue")).content.decode()
    assert not ISO_DATE.search(content)
    assert "just now" in content and "0 minutes" not in content


def test_queue_of_a_new_practice_says_what_to_do_next(client, users):
    client.force_login(users["physicist.riverside"])
    content = client.get(reverse("review:queue")).content.decode()
    assert 'data-testid="empty-queue"' in content and "No events match these filters" not in content
    assert reverse("events:event-create") in content
    filtered = client.get(reverse("review:queue"), {"q": "nothing like this"}).content.decode()
    assert "No events match these filters" in filtered and 'data-testid="empty-queue"' not in filtered


def test_dates_formats_and_words():
    moment = timezone.make_aware(dt.datetime(2026, 12, 2, 14, 5))
    assert dates.day(moment.date()) == "2 Dec 2026"
    assert dates.when(moment) == "2 Dec 2026, 14:05"
    assert dates.ago(moment, now=moment + dt.timedelta(seconds=20)) == "just now"
    assert dates.ago(moment, now=moment + dt.timedelta(minutes=1)) == "1 minute ago"
    assert dates.ago(moment, now=moment + dt.timedelta(hours=3)) == "3 hours ago"
    assert dates.ago(moment, now=moment + dt.timedelta(days=1, hours=1)) == "yesterday"
    assert dates.ago(moment, now=moment + dt.timedelta(days=30)) == "2 Dec 2026"


def test_codes_read_as_words_with_acronyms_spelled_properly():
    assert humanize_code("pso_signatory") == "PSO signatory"
    assert humanize_code("agreement_transition") == "Agreement transition"


def test_audit_values_read_as_words_dates_and_names():
    from practices.templatetags.roils_tags import change_value

    assert change_value("full_access") == "Full access"
    assert change_value("2026-12-02") == "2 Dec 2026"
    assert change_value("general.riverside") == "general.riverside"
    assert change_value(None) == ""
