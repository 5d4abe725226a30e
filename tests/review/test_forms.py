"""Review forms: the override select round-trips, action items refuse past dates and foreign owners."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from review.forms import ActionItemForm, ReviewForm
from review.models import Review
from tests.factories.review import make_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("stored", "shown"), [(None, "unknown"), (True, "true"), (False, "false")])
def test_review_form_override_select_shows_the_stored_choice(riverside, stored, shown):
    event = make_event(agreement=riverside)
    form = ReviewForm(instance=Review(event=event, possibly_reportable=stored), event=event)
    assert f'<option value="{shown}" selected>' in str(form["possibly_reportable"])


@pytest.mark.parametrize(("posted", "value"), [("unknown", None), ("true", True), ("false", False)])
def test_review_form_override_select_parses(riverside, posted, value):
    event = make_event(agreement=riverside)
    form = ReviewForm({"classification": "near_miss", "expected_version": 0, "possibly_reportable": posted},
                      instance=Review(event=event), event=event)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["possibly_reportable"] is value


def test_action_item_form_owner_choices_are_named_members_of_the_agreement(riverside, users):
    event = make_event(agreement=riverside)
    form = ActionItemForm(event=event, user=users["physicist.riverside"])
    owners = {u.username for u in form.fields["owner"].queryset}
    assert owners == {"physicist.riverside", "director.riverside", "reporter.riverside"}


def test_action_item_form_owner_select_reads_its_choices_once_with_a_plain_query(riverside, users):
    """Django's choice iterator streams through a server-side cursor (DECLARE, FETCH, CLOSE) on each rendering."""
    event = make_event(agreement=riverside)
    form = ActionItemForm(event=event, user=users["physicist.riverside"])
    with CaptureQueriesContext(connection) as queries:
        first, second = str(form["owner"]), str(form["owner"])
    assert first == second
    assert f'value="{users["director.riverside"].pk}"' in first
    assert len(queries) == 1
    assert not queries[0]["sql"].lstrip().upper().startswith("DECLARE")


def test_action_item_form_past_due_date_refused(riverside, users):
    event = make_event(agreement=riverside)
    form = ActionItemForm({"action_type": "edu.training", "description": "x", "owner": users["director.riverside"].pk,
                           "due_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat()},
                          event=event, user=users["physicist.riverside"])
    assert not form.is_valid() and "due_date" in form.errors
