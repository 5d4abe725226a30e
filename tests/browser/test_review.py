"""A reviewer takes an event from "new" to "reported to PSO" in the browser."""

import datetime as dt
import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event
from foundation.taxonomy.events import EventStatus
from reporting.models import Submission
from review.models import ActionItem, Review
from review.services import action_item_add
from tests.factories.review import make_event, review_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]
SHOTS = os.environ.get("REVIEW_SHOTS_DIR")  # set to keep screenshots of each step


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _tick(page, picker: str, search: str, label: str):
    """Type in a picker's filter box, then tick the one item wanted."""
    box = page.locator(f"#id_{picker}_picker")
    box.get_by_label(f"Find {box.locator('legend').inner_text().lower()}").fill(search)
    option = box.get_by_label(label, exact=True)
    expect(option).to_be_visible()
    option.check()
    expect(box.locator("[data-picker-chips]")).to_contain_text(label)


def test_review_new_event_to_reported_to_pso(page, live_server, world, login):
    event = make_event(
        agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"],
        narrative="Dr. Patel loaded the previous plan version; the time-out caught it before beam on.",
    )
    login(page, "physicist.riverside")
    page.goto(f"{live_server.url}/review/")
    page.get_by_role("link", name=event.reference).first.click()
    expect(page.get_by_test_id("event-status")).to_have_text("New")

    # Conditional questions follow the classification and the equipment answer.
    dose = page.locator("[data-applies=dose]")
    expect(dose).to_be_hidden()
    page.get_by_label("Event classification").select_option("therapeutic")
    expect(dose).to_be_visible()
    page.get_by_label("Event classification").select_option("near_miss")
    expect(dose).to_be_hidden()
    expect(page.get_by_label("Equipment model")).to_be_hidden()
    page.get_by_label("Equipment related").check()
    expect(page.get_by_label("Equipment model")).to_be_visible()
    page.get_by_label("Equipment related").uncheck()

    page.get_by_label("Title").fill("Previous plan version loaded at the console")
    page.get_by_label("Workflow step where it originated").select_option("treatment_planning")
    page.get_by_label("Workflow step where it was detected").select_option("treatment_delivery")
    page.get_by_label("Primary problem type").select_option("plan_not_deliverable")
    _tick(page, "contributing_factors", "train", "Education or training inadequate")
    _tick(page, "contributing_factors", "expectation", "Failure to detect a developing problem › Expectation bias")
    _tick(page, "barriers_failed", "record", "Record & verify system")
    _tick(page, "barriers_caught", "time-out", "Time-out/verbalisation/call-back")
    page.get_by_label("Lessons learned").fill("Make the approved plan the only one the console can load.")
    _shot(page, "review-form")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("alert").filter(has_text="Review saved")).to_be_visible()
    expect(page.get_by_test_id("event-status")).to_have_text("In review")

    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    page.get_by_label("Type of action").select_option("hw.forcing_function")
    page.get_by_label("Description").fill("Console refuses plans that are not the approved version.")
    page.get_by_label("Owner").select_option(label="David Okafor")
    page.get_by_label("Due date").fill(due)
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_role("alert").filter(has_text="Action added")).to_be_visible()
    expect(page.locator("#actions")).to_contain_text("New forcing function")

    page.get_by_role("button", name="Mark ready to report").click()
    expect(page.get_by_test_id("event-status")).to_have_text("Ready to report")
    page.get_by_role("link", name="Report to PSO").first.click()

    expect(page.get_by_test_id("scrubbed-narrative")).to_contain_text("[NAME]")
    expect(page.get_by_test_id("scrubbed-narrative")).not_to_contain_text("Patel")
    expect(page.get_by_test_id("coded-fields")).to_contain_text("Education or training inadequate")
    _shot(page, "review-preview")
    page.get_by_role("button", name="Report to PSO").click()
    expect(page.get_by_text("Confirm that this record holds no patient identifier.")).to_be_visible()
    assert not Submission.objects.exists()  # the box was not ticked
    page.get_by_label("I have read this record: it holds no patient identifier.").check()
    page.get_by_role("button", name="Report to PSO").click()
    expect(page.get_by_role("alert").filter(has_text="reported to the PSO")).to_be_visible()

    event.refresh_from_db()
    assert event.status in (EventStatus.REPORTED, EventStatus.RECEIVED)
    submission = Submission.objects.get(agreement_id=event.agreement_id)
    assert submission.revision == 1
    assert "Patel" not in submission.record["narrative"] and "[NAME]" in submission.record["narrative"]
    assert submission.record["contributing_factors"] == ["cp.detect.expectation_bias", "pm.training"]
    assert submission.record["corrective_actions"] == ["hw.forcing_function"]
    review = Review.objects.get(event=event)
    assert review.confirmed_no_identifiers and review.confirmed_by.username == "physicist.riverside"
    assert ActionItem.objects.get(event=event).owner.username == "director.riverside"


def test_review_stale_save_in_second_tab_keeps_text(page, live_server, world, login):
    event = make_event(agreement=world["agreements"]["riverside"])
    login(page, "physicist.riverside")
    page.goto(f"{live_server.url}/review/events/{event.pk}/")
    other = page.context.new_page()
    other.goto(f"{live_server.url}/review/events/{event.pk}/")
    other.get_by_label("Reviewer notes").fill("Saved first in the other tab")
    other.get_by_role("button", name="Save review").click()
    expect(other.get_by_role("alert").filter(has_text="Review saved")).to_be_visible()

    page.get_by_label("Reviewer notes").fill("My long paragraph")
    page.get_by_role("button", name="Save review").click()
    expect(page.locator("#conflict")).to_contain_text("Maria Chen saved changes at")
    expect(page.get_by_label("Reviewer notes")).to_have_value("My long paragraph")
    assert Review.objects.get(event=event).reviewer_notes == "Saved first in the other tab"
    assert Event.objects.get(pk=event.pk).status == EventStatus.IN_REVIEW


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_review_queue_and_event_page_fit_the_screen_and_pass_axe(browser, live_server, world, login, width):
    """Nothing scrolls sideways on a phone, and axe finds no serious or critical violation on either page."""
    riverside, physicist = world["agreements"]["riverside"], world["users"]["physicist.riverside"]
    event = make_event(agreement=riverside, user=world["users"]["reporter.riverside"])
    review_event(event)
    action_item_add(event=event, by=physicist, action_type="hw.forcing_function", owner=physicist,
                    description="Console refuses plans that are not the approved version.",
                    due_date=timezone.localdate() + dt.timedelta(days=14))
    context = browser.new_context(viewport={"width": width, "height": 844}, is_mobile=width < 400,
                                  has_touch=width < 400)
    page = context.new_page()
    try:
        login(page, "physicist.riverside")
        for path in ("/review/", "/review/?view=location", f"/review/events/{event.pk}/"):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, path
            violations = Axe().run(page).response["violations"]
            assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == [], path
        page.get_by_role("button", name="Add action").click()
        expect(page.locator("#id_owner")).to_have_attribute("aria-invalid", "true")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        _shot(page, f"event-action-errors-{width}")
    finally:
        context.close()
