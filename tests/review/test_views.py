"""Review pages: who may open them, what they show, and how they refuse bad input without changing anything."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from foundation.taxonomy.events import EventClassification, EventStatus
from practices.models import AuditEntry
from reporting.models import Submission
from review.models import ActionItem, Review
from review.services import action_item_add, event_transition, review_finalize, review_save
from tests.factories.review import bulk_events, make_event, ready_event, review_event
from tests.markup import Page, accessibility_problems

S = EventStatus
pytestmark = pytest.mark.django_db


def detail(event):
    return reverse("review:event-detail", args=[event.pk])


# --- who may open what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["reporter.riverside", "general.riverside", "staff.pso", "analyst.pso"])
def test_queue_and_event_not_full_access_get_404(client_for, riverside, physicist, username):
    event = make_event(agreement=riverside)
    item = action_item_add(event=event, by=physicist, action_type="edu.training", description="x", owner=physicist,
                           due_date=timezone.localdate())
    client = client_for(username)
    for url in (reverse("review:queue"), reverse("review:queue-export", args=["csv"]), detail(event),
                reverse("review:event-report", args=[event.pk]), reverse("review:actionitem-update", args=[item.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("review:event-transition", args=[event.pk]), {"to": "in_review"}).status_code == 404
    event.refresh_from_db()
    assert event.status == S.NEW


def test_event_of_other_agreement_full_access_gets_404(client_for, riverside, physicist):
    event = make_event(agreement=riverside)
    item = action_item_add(event=event, by=physicist, action_type="edu.training", description="x", owner=physicist,
                           due_date=timezone.localdate())
    client = client_for("physicist.lakeside")
    assert client.get(reverse("review:queue")).status_code == 200
    for url in (detail(event), reverse("review:event-report", args=[event.pk]),
                reverse("review:actionitem-update", args=[item.pk])):
        assert client.get(url).status_code == 404, url
    for url, data in ((detail(event), {"title": "x", "expected_version": 0}),
                      (reverse("review:event-transition", args=[event.pk]), {"to": "invalid", "reason": "x"}),
                      (reverse("review:actionitem-create", args=[event.pk]), {}),
                      (reverse("review:event-report", args=[event.pk]), {"confirmed": "on"})):
        assert client.post(url, data).status_code == 404, url
    assert not Review.objects.filter(event=event).exists()


def test_queue_anonymous_visitor_redirected_to_login(client, riverside):
    response = client.get(reverse("review:queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the queue -------------------------------------------------------------------------------------------


def test_queue_lists_only_own_agreements_events(client_for, riverside, lakeside):
    own = make_event(agreement=riverside)
    foreign = make_event(agreement=lakeside)
    content = client_for("physicist.riverside").get(reverse("review:queue")).content.decode()
    assert own.reference in content and foreign.reference not in content


def test_queue_filters_by_status_facility_classification_and_technique(client_for, riverside, physicist):
    facilities = {c.facility.name: c.facility for c in riverside.coverages.select_related("facility")}
    north = make_event(agreement=riverside, facility=facilities["North Clinic"], techniques=["hdr_brachy"],
                       classification=EventClassification.THERAPEUTIC)
    main = make_event(agreement=riverside, facility=facilities["Main Campus"])
    event_transition(event=main, by=physicist, to=S.IN_REVIEW)
    client = client_for("physicist.riverside")

    def refs(**params):
        page = client.get(reverse("review:queue"), params)
        return {e.reference for e in page.context["events"]}

    assert refs(status="in_review") == {main.reference}
    assert refs(status="open") == {main.reference, north.reference}
    assert refs(facility=facilities["North Clinic"].pk) == {north.reference}
    assert refs(classification="therapeutic") == {north.reference}
    assert refs(technique="hdr_brachy") == {north.reference}
    assert refs(date_from=timezone.localdate().isoformat()) == set()


def test_queue_search_finds_narratives_and_review_notes_ranked(client_for, riverside, physicist):
    bolus = make_event(agreement=riverside, narrative="The bolus was left off for two fractions.")
    noted = make_event(agreement=riverside, narrative="Setup differed from the plan.")
    review_save(review=Review(event=noted), by=physicist, data={"reviewer_notes": "Bolus sheet missing in the room"},
                expected_version=0)
    make_event(agreement=riverside, narrative="Couch shift entered with the wrong sign.")
    client = client_for("physicist.riverside")
    found = [e.reference for e in client.get(reverse("review:queue"), {"q": "bolus"}).context["events"]]
    assert set(found) == {bolus.reference, noted.reference}
    # Stemming: "fractions" matches "fraction".
    found = [e.reference for e in client.get(reverse("review:queue"), {"q": "fraction"}).context["events"]]
    assert found == [bolus.reference]


def test_queue_counts_per_status_ignore_the_status_filter(client_for, riverside, physicist):
    events = [make_event(agreement=riverside) for _ in range(3)]
    event_transition(event=events[0], by=physicist, to=S.IN_REVIEW)
    response = client_for("physicist.riverside").get(reverse("review:queue"), {"status": "new"})
    counts = {value: count for value, _label, count, _badge in response.context["counts"]}
    assert counts["new"] == 2 and counts["in_review"] == 1 and response.context["total"] == 3


@pytest.mark.parametrize("params", [
    {}, {"status": "open"}, {"status": "new"}, {"status": "in_review"}, {"status": "closed"},
    {"status": "open", "classification": "therapeutic"}, {"status": "new", "technique": "hdr_brachy"},
    {"q": "bolus"}, {"q": "bolus", "status": "new"}, {"status": "bogus"}, {"view": "location", "status": "open"},
])
def test_queue_total_matches_the_filtered_events(client_for, riverside, physicist, params):
    """The paginator's count comes from the per-status counts: it must equal what the filters leave."""
    events = [make_event(agreement=riverside, narrative=f"Bolus left off, case {n}." if n % 2 else "Couch shift.",
                         classification=EventClassification.THERAPEUTIC if n % 3 else EventClassification.NEAR_MISS,
                         techniques=["hdr_brachy"] if n % 4 == 0 else ["imrt_vmat"]) for n in range(9)]
    for event in events[:3]:
        event_transition(event=event, by=physicist, to=S.IN_REVIEW)
    event_transition(event=events[3], by=physicist, to=S.IN_REVIEW)
    event_transition(event=events[3], by=physicist, to=S.CLOSED)
    response = client_for("physicist.riverside").get(reverse("review:queue"), params)
    view = response.context["view"]
    assert response.context["paginator"].count == view.filterset.qs.count()
    assert len(response.context["events"]) == view.filterset.qs.count()


def test_queue_facility_filter_offers_only_own_facilities(client_for, riverside, lakeside):
    own = {c.facility_id for c in riverside.coverages.all()}
    foreign = lakeside.coverages.first().facility_id
    make_event(agreement=lakeside)
    client = client_for("physicist.riverside")
    response = client.get(reverse("review:queue"))
    offered = {value for value, _label in response.context["filter"].form.fields["facility"].choices if value}
    assert offered == own
    refused = client.get(reverse("review:queue"), {"facility": foreign})
    assert "facility" in refused.context["filter"].form.errors
    assert not any(e.agreement_id == lakeside.pk for e in refused.context["events"])


def test_queue_per_location_view_counts_each_facility(client_for, riverside):
    bulk_events(agreement=riverside, count=6)
    response = client_for("physicist.riverside").get(reverse("review:queue"), {"view": "location"})
    rows = {row["facility__name"]: row["total"] for row in response.context["breakdown"]}
    assert rows == {"Main Campus": 3, "North Clinic": 3}
    assert response.context["multi_facility"] is True
    assert [row["facility"] for row in response.context["rows"] if row["starts_location"]] == [
        "Main Campus", "North Clinic"]
    assert response.content.decode().count('<th scope="rowgroup" colspan="7">') == 2
    together = client_for("physicist.riverside").get(reverse("review:queue"))
    assert '<th scope="rowgroup"' not in together.content.decode()


def test_queue_single_facility_agreement_has_no_location_switch(client_for, lakeside):
    make_event(agreement=lakeside)
    response = client_for("physicist.lakeside").get(reverse("review:queue"))
    assert response.context["multi_facility"] is False
    assert "By location" not in response.content.decode()


def _count_queries(client, url, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


SEARCH = {"q": "shift", "technique": "imrt_vmat", "view": "location"}


def test_queue_query_count_same_for_10_and_1000_events(client_for, riverside, django_assert_num_queries):
    client = client_for("physicist.riverside")
    url = reverse("review:queue")
    events = bulk_events(agreement=riverside, count=10)
    review_event(events[0])
    plain, searched = _count_queries(client, url), _count_queries(client, url, SEARCH)
    more = bulk_events(agreement=riverside, count=990)
    review_event(more[-1])
    with django_assert_num_queries(plain):
        response = client.get(url)
    assert response.context["paginator"].count == 1000
    with django_assert_num_queries(searched):
        response = client.get(url, SEARCH)
    assert response.context["paginator"].count == 1000


def test_event_page_query_count_constant(client_for, riverside, physicist, django_assert_num_queries):
    client = client_for("physicist.riverside")
    make_event(agreement=riverside)  # an earlier event like it: the baseline reads similar events too
    event = make_event(agreement=riverside)
    review_event(event)
    action_item_add(event=event, by=physicist, action_type="edu.training", description="x", owner=physicist,
                    due_date=timezone.localdate())
    client.get(detail(event))  # the first view of the minute is logged (one insert, one session write); not again
    baseline = _count_queries(client, detail(event))
    for n in range(8):
        action_item_add(event=event, by=physicist, action_type="proc.checklists", description=f"Item {n}",
                        owner=physicist, due_date=timezone.localdate())
        make_event(agreement=riverside)
    bulk_events(agreement=riverside, count=200)
    with django_assert_num_queries(baseline):
        client.get(detail(event))


def test_event_page_reads_the_agreements_people_once_for_both_forms(client_for, riverside):
    """The new action's owner and the investigator are chosen from the same people: one query, two selects."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    client.get(detail(event))  # the first view of the minute is logged
    with CaptureQueriesContext(connection) as queries:
        page = client.get(detail(event)).content.decode()
    people = [q["sql"] for q in queries.captured_queries
              if q["sql"].startswith('SELECT "practices_user"."id", "practices_user"."username"')]
    assert len(people) == 1, people

    def options(name):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
        return re.findall(r'<option value="(\d+)"', select)

    assert options("owner") and options("owner") == options("user")


# --- the event page ------------------------------------------------------------------------------------


def test_event_page_anonymous_event_never_shows_reporter(client_for, riverside, users):
    event = make_event(agreement=riverside, user=users["general.riverside"])
    content = client_for("physicist.riverside").get(detail(event)).content.decode()
    assert "Anonymous report" in content
    assert "general.riverside" not in content.replace("physicist.riverside", "")
    assert "Riverside Staff" not in content


def test_event_page_named_event_shows_reporter(client_for, riverside, users):
    event = make_event(agreement=riverside, user=users["reporter.riverside"], reporter_name="Sam Rivera")
    assert "Sam Rivera" in client_for("physicist.riverside").get(detail(event)).content.decode()
    nameless = make_event(agreement=riverside, user=users["reporter.riverside"], reporter_name="")
    assert str(users["reporter.riverside"]) in client_for("physicist.riverside").get(detail(nameless)).content.decode()


def test_event_page_says_who_last_saved_the_review(client_for, riverside, physicist):
    event = make_event(agreement=riverside)
    review_save(review=Review(event=event), by=physicist, expected_version=0, data={"title": "Saved once"})
    page = client_for("director.riverside").get(detail(event)).content.decode()
    assert f"Last saved by {physicist}" in page


def test_event_page_lists_missing_answers_and_regulatory_hint(client_for, riverside, physicist):
    event = make_event(agreement=riverside, classification=EventClassification.THERAPEUTIC)
    review_save(review=Review(event=event), by=physicist, expected_version=0,
                data={"dose_deviation_percent": 25, "problem_type": "wrong_patient"})
    response = client_for("physicist.riverside").get(detail(event))
    content = response.content.decode()
    assert "dosimetric severity" in response.context["missing"]
    assert "Dosimetric severity" in content
    assert "State or NRC reporting rules may apply" in content
    assert "Total dose differs from the prescription by 25" in content
    assert "Treatment delivered to the wrong patient" in content
    assert "not a legal determination" in content


def test_event_page_post_saves_review(client_for, riverside):
    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    response = client.post(detail(event), {
        "classification": "near_miss", "title": "Wrong plan loaded", "expected_version": 0,
        "contributing_factors": ["pm.training", "cp.detect.attention"], "possibly_reportable": "unknown",
    })
    assert response.status_code == 302
    review = Review.objects.get(event=event)
    assert review.title == "Wrong plan loaded" and review.contributing_factors == ["pm.training", "cp.detect.attention"]


def test_event_page_review_fields_follow_every_change(client_for, riverside, physicist):
    """A save, a status change or a bad post shows at once on the review answers."""
    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    assert client.get(detail(event)).content.decode().count('name="contributing_factors"') > 10
    client.post(detail(event), {"classification": "near_miss", "title": "Wrong plan loaded", "expected_version": 0,
                                "contributing_factors": ["pm.training"], "possibly_reportable": "unknown"})
    page = client.get(detail(event)).content.decode()
    assert 'value="Wrong plan loaded"' in page
    assert 'value="pm.training" id="id_contributing_factors_pm_training" checked' in page
    assert 'name="expected_version" value="1"' in page
    review_save(review=Review.objects.get(event=event), by=physicist, data={"title": "Saved elsewhere"},
                expected_version=1)
    assert 'value="Saved elsewhere"' in client.get(detail(event)).content.decode()
    event_transition(event=event, by=physicist, to=S.CLOSED)
    page = client.get(detail(event)).content.decode()
    assert 'data-testid="review-answers"' in page and "Saved elsewhere" in page and "data-review-form" not in page
    event_transition(event=event, by=physicist, to=S.IN_REVIEW)
    page = client.get(detail(event)).content.decode()
    assert 'data-testid="review-answers"' not in page and 'value="Saved elsewhere"' in page
    bad = client.post(detail(event), {"classification": "near_miss", "title": "Typed but refused",
                                      "expected_version": 2, "medical_severity": "99", "possibly_reportable": ""})
    assert bad.status_code == 200 and 'value="Typed but refused"' in bad.content.decode()


def test_event_page_blank_review_form_follows_each_event(client_for, riverside, physicist):
    """Events not reviewed yet show a blank form with their own classification, version and status."""
    client = client_for("physicist.riverside")
    first, other = (make_event(agreement=riverside, classification=c) for c in (
        EventClassification.NEAR_MISS, EventClassification.UNSAFE_CONDITION))
    page = client.get(detail(other)).content.decode()
    assert 'name="expected_version" value="0"' in page and 'value="unsafe_condition" selected' in page
    review_save(review=Review(event=other), by=physicist, expected_version=0, data={"title": "Only the other"})
    assert 'value="Only the other"' in client.get(detail(other)).content.decode()
    assert 'value="Only the other"' not in client.get(detail(first)).content.decode()
    event_transition(event=first, by=physicist, to=S.IN_REVIEW)
    event_transition(event=first, by=physicist, to=S.CLOSED)
    assert "Event classification" in client.get(detail(first)).content.decode().split('data-testid="review-answers"')[1]
    assert "data-review-form" in client.get(detail(make_event(
        agreement=riverside, classification=EventClassification.NEAR_MISS))).content.decode()


def test_closed_event_page_lists_the_saved_answers_in_the_forms_words(client_for, riverside, physicist):
    """An event that cannot be edited shows what was answered, by section, with the labels of the options chosen,
    and no form: not the hundreds of unticked options, and not what a refused post typed."""
    event = make_event(agreement=riverside, classification=EventClassification.NEAR_MISS)
    client = client_for("physicist.riverside")
    client.post(detail(event), {
        "classification": "near_miss", "title": "Wrong plan loaded", "expected_version": 0,
        "contributing_factors": ["pm.training", "cp.detect.attention"], "possibly_reportable": "false",
        "equipment_related": "on", "equipment_manufacturer": "Acme & Sons", "occurred_date": "2026-03-01",
        "lessons_learned": "Check the plan name.\nTwice.",
    })
    event_transition(event=event, by=physicist, to=S.CLOSED)
    response = client.get(detail(event))
    page = Page(response.content.decode())
    (answers,) = page.find("div", **{"data-testid": "review-answers"})
    text = " ".join(answers.text.split())
    items = [e for e in page.elements if e.tag == "li" and any(a is answers for a in e.ancestors)]
    for expected in ("Summary", "Wrong plan loaded", "Causes", "Equipment", "Acme & Sons", "Yes",
                     "Possibly reportable to a regulator No", date_format(dt.date(2026, 3, 1)),
                     "Patients affected 0 (unsafe condition / near miss)"):
        assert expected in text, expected
    assert "Check the plan name.<br>Twice." in response.content.decode()
    for label in ("Contributing factors", "Event classification", "Dose"):
        assert (label in text) == (label != "Dose"), label  # a section without an answer is left out
    assert "pm.training" not in text and len(items) == 2  # the two factors, by their labels
    assert not [e for e in page.elements
                if e.attrs.get("name") == "contributing_factors" or "data-review-form" in e.attrs]
    refused = client.post(detail(event), {"classification": "near_miss", "title": "Typed but refused",
                                          "expected_version": 1, "possibly_reportable": "unknown"}, follow=True)
    page = refused.content.decode()
    assert "The review was not saved: this event is “Closed”" in page
    assert "Typed but refused" not in page and "Wrong plan loaded" in page
    assert Review.objects.get(event=event).title == "Wrong plan loaded"


def test_event_page_action_form_lists_the_agreements_current_owners(client_for, riverside, physicist):
    """The "Add an action" form offers the agreement's members as they are now, and a refused post keeps its text."""
    from practices.choices import Role
    from practices.models import User
    from practices.services import membership_grant
    client = client_for("physicist.riverside")
    first, second = make_event(agreement=riverside), make_event(agreement=riverside)

    def add_action_form(page):
        return page[page.index("Add an action"):page.index("</form>", page.index("Add an action"))]

    form = add_action_form(client.get(detail(first)).content.decode())
    assert 'name="owner"' in form and str(physicist) in form and '<option value="" selected>Choose…</option>' in form
    newcomer = User.objects.create(username="newcomer", first_name="Nia", last_name="Newcomer")
    membership_grant(by=None, agreement=riverside, user=newcomer, role=Role.REPORTER)
    assert "Nia Newcomer" in add_action_form(client.get(detail(second)).content.decode())

    response = client.post(reverse("review:actionitem-create", args=[second.pk]), {
        "action_type": "proc.checklists", "description": "Posted text stays", "owner": "", "due_date": ""})
    assert "Choose who owns this action." in response.content.decode()
    assert "Posted text stays" in add_action_form(response.content.decode())
    assert "Posted text stays" not in add_action_form(client.get(detail(first)).content.decode())


def test_event_page_opens_the_sections_its_answers_apply_to(client_for, riverside, physicist):
    """Shown or hidden by the saved answers, or by those of a refused post."""
    event = make_event(agreement=riverside, classification=EventClassification.NEAR_MISS)
    client = client_for("physicist.riverside")
    page = client.get(detail(event)).content.decode()
    assert 'data-applies="equipment" hidden>' in page and '<div data-applies="reached" hidden>' in page
    assert '<div data-applies="caught">' in page and '<div data-applies="risk">' in page
    review_save(review=Review(event=event), by=physicist, expected_version=0, data={"equipment_related": True})
    page = client.get(detail(event)).content.decode()
    assert 'data-applies="equipment">' in page and 'name="expected_version" value="1"' in page
    bad = client.post(detail(event), {"classification": "therapeutic", "expected_version": 1,
                                      "medical_severity": "99", "possibly_reportable": ""})
    page = bad.content.decode()
    assert bad.status_code == 200 and '<div data-applies="reached">' in page
    # Barriers that caught it apply to an incident caught part-way; the near-miss risk index does not.
    assert '<div data-applies="caught">' in page and '<div data-applies="risk" hidden>' in page
    assert 'data-applies="equipment" hidden>' in page  # the post left "equipment related" unticked


def test_event_page_stale_post_keeps_text_and_changes_nothing(client_for, riverside, physicist):
    event = make_event(agreement=riverside)
    review_save(review=Review(event=event), by=physicist, data={"reviewer_notes": "Maria's version"},
                expected_version=0)
    client = client_for("director.riverside")
    response = client.post(detail(event), {"classification": "near_miss", "expected_version": 0,
                                           "reviewer_notes": "David's careful paragraph", "possibly_reportable": ""})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Maria Chen saved changes at" in content and "your text is kept below" in content
    assert any(f"David{q}s careful paragraph" in content for q in ("&#x27;", "&#39;", "'"))
    assert Review.objects.get(event=event).reviewer_notes == "Maria's version"


def test_event_page_forged_status_refused_with_message(client_for, riverside):
    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    response = client.post(reverse("review:event-transition", args=[event.pk]), {"to": "received"}, follow=True)
    assert "cannot become" in response.content.decode() or "nothing was changed" in response.content.decode()
    event.refresh_from_db()
    assert event.status == S.NEW


def test_event_page_invalid_without_reason_refused(client_for, riverside):
    event = make_event(agreement=riverside)
    response = client_for("physicist.riverside").post(
        reverse("review:event-transition", args=[event.pk]), {"to": "invalid", "reason": "", "expected_status": "new"}
    )
    assert "Say why this event is invalid" in response.content.decode()
    event.refresh_from_db()
    assert event.status == S.NEW


def test_event_page_duplicate_of_foreign_reference_refused(client_for, riverside, lakeside):
    event = make_event(agreement=riverside)
    foreign = make_event(agreement=lakeside)
    response = client_for("physicist.riverside").post(
        reverse("review:event-transition", args=[event.pk]), {"to": "duplicate", "duplicate_of": foreign.reference}
    )
    assert "No event with that reference in this practice agreement" in response.content.decode()
    event.refresh_from_db()
    assert event.status == S.NEW and event.duplicate_of is None


def test_event_page_duplicate_of_own_reference_accepted(client_for, riverside):
    first, second = make_event(agreement=riverside), make_event(agreement=riverside)
    client_for("physicist.riverside").post(
        reverse("review:event-transition", args=[second.pk]), {"to": "duplicate", "duplicate_of": first.reference}
    )
    second.refresh_from_db()
    assert second.status == S.DUPLICATE and second.duplicate_of == first
    page = client_for("physicist.riverside").get(detail(second)).content.decode()
    assert f'href="{detail(first)}"><span class="ref">{first.reference}</span></a>' in page


def test_mark_as_duplicate_suggests_the_similar_earlier_events_of_the_agreement(client_for, riverside, lakeside):
    story = "Wrong bolus thickness on the couch for the chest wall plan, caught at the third fraction."
    original = make_event(agreement=riverside, narrative=story)
    unrelated = make_event(agreement=riverside, narrative="Printer jammed while printing the schedule.")
    foreign = make_event(agreement=lakeside, narrative=story)
    event = make_event(agreement=riverside, narrative=story)
    page = client_for("physicist.riverside").get(detail(event)).content.decode()
    datalist = page.split('<datalist id="duplicate-choices">', 1)[1].split("</datalist>", 1)[0]
    assert f'<option value="{original.reference}">' in datalist
    assert unrelated.reference not in datalist and foreign.reference not in datalist
    assert event.reference not in datalist  # never itself
    # Nothing similar: no suggestions, and the field still takes any reference.
    lone = make_event(agreement=riverside, narrative="Door interlock fault.")
    page = client_for("physicist.riverside").get(detail(lone)).content.decode()
    assert 'list="duplicate-choices"' not in page and 'name="duplicate_of"' in page


def test_event_page_reopen_reported_event_bumps_revision(client_for, riverside, physicist):
    event = ready_event(agreement=riverside)
    review_finalize(event=event, by=physicist, confirmed=True)
    client_for("physicist.riverside").post(reverse("review:event-transition", args=[event.pk]),
                                           {"to": "in_review", "expected_status": "reported"})
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW and event.revision == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [({"owner": ""}, "Choose who owns this action."), ({"due_date": "2020-01-01"}, "cannot be in the past")],
)
def test_action_item_bad_input_refused(client_for, riverside, physicist, data, message):
    event = make_event(agreement=riverside)
    post = {"action_type": "proc.checklists", "description": "Checklist", "owner": physicist.pk,
            "due_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(), **data}
    response = client_for("physicist.riverside").post(reverse("review:actionitem-create", args=[event.pk]), post)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ActionItem.objects.exists()


def test_action_item_owner_from_other_agreement_refused(client_for, riverside, users):
    event = make_event(agreement=riverside)
    response = client_for("physicist.riverside").post(reverse("review:actionitem-create", args=[event.pk]), {
        "action_type": "proc.checklists", "description": "x", "owner": users["physicist.lakeside"].pk,
        "due_date": timezone.localdate().isoformat()})
    assert "Select a valid choice" in response.content.decode()
    assert not ActionItem.objects.exists()


def test_action_item_add_and_update_through_pages(client_for, riverside, physicist, director):
    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(reverse("review:actionitem-create", args=[event.pk]), {
        "action_type": "hw.forcing_function", "description": "Lock unapproved plans", "owner": director.pk,
        "due_date": due})
    assert response.status_code == 302
    item = ActionItem.objects.get()
    page = client.get(detail(event)).content.decode()
    assert "New forcing function" in page and "High (hardware/software)" in page
    response = client.post(reverse("review:actionitem-update", args=[item.pk]), {
        "action_type": "hw.forcing_function", "description": "Lock unapproved plans", "owner": director.pk,
        "due_date": due, "status": "done", "completion_note": "Vendor setting enabled"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.completed_by == physicist


# --- report to the PSO -----------------------------------------------------------------------------------


def test_report_page_from_wrong_state_refused(client_for, riverside):
    event = make_event(agreement=riverside)
    review_event(event)
    client = client_for("physicist.riverside")
    response = client.get(reverse("review:event-report", args=[event.pk]), follow=True)
    assert "Only an event that is ready to report" in response.content.decode()
    response = client.post(reverse("review:event-report", args=[event.pk]), {"confirmed": "on"}, follow=True)
    assert "Only an event that is ready to report" in response.content.decode()
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW and not Submission.objects.exists()


def test_report_page_previews_the_scrubbed_record(client_for, riverside):
    event = ready_event(agreement=riverside, narrative="Mr. Johnson (MRN 99887766) was set up with the old plan.")
    response = client_for("physicist.riverside").get(reverse("review:event-report", args=[event.pk]))
    content = response.content.decode()
    assert "Johnson" not in content and "99887766" not in content
    assert "<mark>[NAME]</mark>" in content and "<mark>[MRN]</mark>" in content
    assert response.context["record"]["event_key"] in content


def test_report_without_confirmation_refused(client_for, riverside):
    event = ready_event(agreement=riverside)
    response = client_for("physicist.riverside").post(reverse("review:event-report", args=[event.pk]), {})
    assert "Confirm that this record holds no patient identifier" in response.content.decode()
    event.refresh_from_db()
    assert event.status == S.READY_TO_REPORT and not Submission.objects.exists()


def test_report_with_confirmation_enqueues_record(client_for, riverside, physicist):
    event = ready_event(agreement=riverside)
    response = client_for("physicist.riverside").post(reverse("review:event-report", args=[event.pk]),
                                                      {"confirmed": "on"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == S.REPORTED
    assert Submission.objects.get().record["revision"] == 1
    review = Review.objects.get(event=event)
    assert review.confirmed_by == physicist


# --- exports -------------------------------------------------------------------------------------------


def test_export_csv_scoped_without_anonymous_identity_and_audited(client_for, riverside, lakeside, users):
    named = make_event(agreement=riverside, user=users["reporter.riverside"], reporter_name="Sam Rivera")
    anonymous = make_event(agreement=riverside, user=users["general.riverside"])
    foreign = make_event(agreement=lakeside)
    response = client_for("physicist.riverside").get(reverse("review:queue-export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_ref = {row[0]: row for row in rows[1:]}
    assert set(by_ref) == {named.reference, anonymous.reference}
    assert foreign.reference not in by_ref
    reporter = rows[0].index("Reporter")
    assert by_ref[named.reference][reporter] == "Sam Rivera"
    assert by_ref[anonymous.reference][reporter] == "Anonymous"
    assert "Riverside Staff" not in response.content.decode() and "general.riverside" not in response.content.decode()
    audit = AuditEntry.objects.get(action="export")
    assert audit.agreement == riverside and audit.changes["rows"] == [None, 2]
    assert audit.actor == users["physicist.riverside"]


def test_export_xlsx_follows_the_filters_and_labels_reviews(client_for, riverside, physicist):
    kept = make_event(agreement=riverside)
    review_event(kept)
    event_transition(event=kept, by=physicist, to=S.AWAITING_INFO, reason="Which plan version was loaded?")
    other = make_event(agreement=riverside)
    event_transition(event=other, by=physicist, to=S.IN_REVIEW)
    response = client_for("physicist.riverside").get(reverse("review:queue-export", args=["xlsx"]),
                                                     {"status": "awaiting_info"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [kept.reference]
    factors = rows[1][rows[0].index("Contributing factors")]
    assert "Communication inadequate › Documentation poor/incomplete/unclear/missing" in factors


def test_export_neutralises_formula_cells(client_for, riverside):
    make_event(agreement=riverside, narrative="=HYPERLINK(\"http://evil.example\") shift error")
    content = client_for("physicist.riverside").get(reverse("review:queue-export", args=["csv"])).content.decode()
    assert "'=HYPERLINK" in content


def test_export_unknown_format_404(client_for, riverside):
    assert client_for("physicist.riverside").get(reverse("review:queue-export", args=["pdf"])).status_code == 404


def test_event_page_forms_every_control_labelled_and_described(client_for, riverside, physicist):
    """The review and "Add an action" forms: labels, legends, existing described-by ids, no "---------" option."""
    event = make_event(agreement=riverside, classification=EventClassification.THERAPEUTIC)
    review_event(event)
    client = client_for("physicist.riverside")
    page = Page(client.get(detail(event)).content.decode())
    assert accessibility_problems(page, "review") == [] and accessibility_problems(page, "actions") == []
    assert page.ids["id_contributing_factors_picker"].attrs["aria-describedby"] == "id_contributing_factors_hint"
    refused = client.post(reverse("review:actionitem-create", args=[event.pk]), {"action_type": "", "owner": ""})
    page = Page(refused.content.decode())
    assert accessibility_problems(page, "actions") == []
    for name in ("action_type", "description", "owner", "due_date"):
        control = page.ids[f"id_{name}"]
        assert control.attrs["aria-invalid"] == "true" and f"id_{name}_error" in control.attrs["aria-describedby"]


def test_closed_review_answers_cover_every_question_of_the_form():
    """Each question of the review form is in one section of the read-only answers, so none is silently dropped."""
    from review.answers import SECTIONS
    from review.forms import ReviewForm

    listed = [name for _title, names in SECTIONS for name in names]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(ReviewForm.base_fields) - {"expected_version"}


def test_refused_review_post_leaves_the_saved_review_on_the_rest_of_the_page(client_for, riverside, physicist):
    """A post that is not saved keeps what was typed in the form, and nothing else on the page pretends it was
    saved: the heading keeps the saved title and "still needed" is worked out from the saved answers."""
    event = make_event(agreement=riverside, classification=EventClassification.NEAR_MISS)
    client = client_for("physicist.riverside")
    review_save(review=Review(event=event), by=physicist, expected_version=0, data={"title": "Saved title"})
    before = client.get(detail(event)).content.decode()
    still_needed = before.split('data-testid="missing"')[1].split("</ul>")[0]
    bad = client.post(detail(event), {"classification": "near_miss", "title": "Typed but refused",
                                      "expected_version": 1, "medical_severity": "99", "possibly_reportable": "",
                                      "contributing_factors": ["pm.training"]})
    page = bad.content.decode()
    assert bad.status_code == 200 and 'value="Typed but refused"' in page
    heading = page.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "Saved title" in heading and "Typed but refused" not in heading
    assert page.split('data-testid="missing"')[1].split("</ul>")[0] == still_needed
    assert Review.objects.get(event=event).title == "Saved title"
