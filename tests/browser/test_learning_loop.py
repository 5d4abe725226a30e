"""The learning loop in the browser: an anonymous report, an investigator, an action owner, a question answered
through the private follow-up link, the action verified, and the lessons shared back with the reporter."""

import os

import pytest
from playwright.sync_api import expect

from events.models import Event, FollowUpMessage
from foundation.taxonomy.events import EventStatus
from review.models import ActionItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]
SHOTS = os.environ.get("REVIEW_SHOTS_DIR")  # set to keep screenshots of the new pages
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_learning_loop_investigator_owner_anonymous_follow_up_and_shared_lessons(
    browser, live_server, world, login, tmp_path
):
    # An anonymous report through the shared login: the confirmation shows the private link once, and keeps it.
    reporter_ctx = browser.new_context()
    reporter = reporter_ctx.new_page()
    login(reporter, "general.riverside")
    reporter.goto(f"{live_server.url}/events/new/")
    reporter.get_by_text("Main Campus", exact=True).click()
    reporter.get_by_text("Near miss", exact=True).click()
    reporter.get_by_label("What happened?").fill("Bolus was not placed for fraction 3; noticed at the next setup.")
    reporter.get_by_text("IMRT/VMAT", exact=True).click()
    reporter.get_by_label("Your role").select_option("radiation_therapist")
    reporter.get_by_role("button", name="Submit event").click()
    link = reporter.get_by_test_id("follow-up-url").input_value()
    assert "/events/follow-up/" in link
    reporter.wait_for_function("() => localStorage.getItem('roils.followUpLinks') !== null", timeout=5000)
    kept = reporter.evaluate("() => JSON.parse(localStorage.getItem('roils.followUpLinks'))")
    assert kept[0]["url"] == link
    _shot(reporter, "loop-confirmation")
    event = Event.objects.get()

    # The reviewer asks the reporter's own login to investigate, and asks the reporter a question.
    reviewer_ctx = browser.new_context()
    reviewer = reviewer_ctx.new_page()
    login(reviewer, "physicist.riverside")
    reviewer.goto(f"{live_server.url}/review/events/{event.pk}/")
    reviewer.locator("#id_user").select_option(label="Sam Rivera")
    reviewer.get_by_role("button", name="Ask to investigate").click()
    expect(reviewer.get_by_test_id("investigator")).to_contain_text("Sam Rivera")
    reviewer.wait_for_load_state("load")  # the page the assignment came back to, whole, before the next click
    # The status form posts and comes back to the event page; on a machine busy with other work this once took
    # longer than Playwright's default 30 s.
    with reviewer.expect_navigation(timeout=60_000):
        reviewer.get_by_role("button", name="Start review").click()
    expect(reviewer.get_by_test_id("event-status")).to_have_text("In review")
    reviewer.get_by_text("Awaiting information: ask the reporter").click()
    reviewer.get_by_label("Question for the reporter").fill("Was the bolus in the room at the time?")
    reviewer.get_by_role("button", name="Ask and wait for the answer").click()
    expect(reviewer.get_by_test_id("event-status")).to_have_text("Awaiting information")

    # The anonymous reporter answers through the link, without signing in: the event is back in review.
    anonymous_ctx = browser.new_context()
    anonymous = anonymous_ctx.new_page()
    anonymous.goto(link)
    expect(anonymous.get_by_test_id("conversation")).to_contain_text("Was the bolus in the room")
    anonymous.get_by_label("Your answer").fill("It was on the shelf by the door.")
    anonymous.get_by_role("button", name="Send").click()
    expect(anonymous.get_by_text("your answer was sent")).to_be_visible()
    _shot(anonymous, "loop-follow-up-link")
    event.refresh_from_db()
    assert event.status == EventStatus.IN_REVIEW
    assert FollowUpMessage.objects.get(from_reporter=True).author is None

    # The investigator finds the event under My work, fills in the investigation and proposes an action.
    investigator_ctx = browser.new_context()
    investigator = investigator_ctx.new_page()
    login(investigator, "reporter.riverside")
    investigator.goto(f"{live_server.url}/review/work/")
    investigator.get_by_test_id("investigations").get_by_role("link", name=event.reference).click()
    expect(investigator.get_by_text("You are investigating this event")).to_be_visible()
    expect(investigator.get_by_role("button", name="Mark ready to report")).to_have_count(0)
    investigator.get_by_label("Title").fill("Bolus left on the shelf")
    investigator.get_by_label("Lessons learned").fill("Put the bolus on the couch before the patient arrives.")
    investigator.get_by_role("button", name="Save review").click()
    expect(investigator.get_by_role("alert").filter(has_text="Review saved")).to_be_visible()
    investigator.get_by_label("Type of action").select_option("proc.checklists")
    investigator.get_by_label("Description").fill("Bolus added to the setup checklist.")
    investigator.get_by_label("Owner").select_option(label="Sam Rivera")
    investigator.get_by_label("Due date").fill(event.created_at.date().isoformat())
    investigator.get_by_role("button", name="Add action").click()
    expect(investigator.get_by_role("alert").filter(has_text="Action added")).to_be_visible()

    # The owner completes the action from My work, with evidence.
    investigator.goto(f"{live_server.url}/review/work/")
    _shot(investigator, "loop-my-work")
    investigator.get_by_test_id("my-actions").get_by_role("link").first.click()
    evidence = tmp_path / "checklist.pdf"
    evidence.write_bytes(PDF)
    investigator.get_by_label("Progress note").fill("Checklist updated and posted at both consoles.")
    investigator.get_by_label("Evidence of completion").set_input_files(str(evidence))
    investigator.get_by_label("The action is done").check()
    investigator.get_by_role("button", name="Save progress").click()
    expect(investigator.get_by_test_id("action-status")).to_have_text("Done")
    expect(investigator.get_by_test_id("action-updates")).to_contain_text("checklist.pdf")
    _shot(investigator, "loop-action")

    # The reviewer verifies it (which closes it), shares what came of it, and closes the event.
    item = ActionItem.objects.get(event=event)
    reviewer.goto(f"{live_server.url}/review/work/actions/{item.pk}/")
    reviewer.get_by_label("Effective", exact=True).check()
    reviewer.get_by_role("button", name="Verify and close").click()
    expect(reviewer.get_by_test_id("action-status")).to_contain_text("verified effective")
    reviewer.goto(f"{live_server.url}/review/events/{event.pk}/")
    reviewer.get_by_text("Share with the reporter what came of it").click()
    reviewer.get_by_label("What we found").fill("The bolus was not on the couch at setup.")
    reviewer.get_by_label("Actions taken").fill("The bolus is now on the setup checklist.")
    reviewer.get_by_role("button", name="Save what is shared").click()
    expect(reviewer.get_by_role("alert").filter(has_text="Saved")).to_be_visible()
    reviewer.locator("#status").get_by_role("button", name="Close", exact=True).click()
    expect(reviewer.get_by_test_id("event-status")).to_have_text("Closed")

    # The anonymous reporter sees the shared lessons through the same link.
    anonymous.goto(link)
    expect(anonymous.get_by_test_id("feedback")).to_contain_text("Put the bolus on the couch before the patient")
    expect(anonymous.get_by_test_id("feedback")).to_contain_text("The bolus is now on the setup checklist.")
    _shot(anonymous, "loop-feedback")
    for context in (reporter_ctx, reviewer_ctx, anonymous_ctx, investigator_ctx):
        context.close()
