"""Local learning in the browser: the local dashboard and its cross-table drill-down, the safety meeting packet;
another practice's reviewer gets 404."""

import os
import re
from pathlib import Path

import pytest

from analytics.demo import local_history
from tests.factories.review import make_event, review_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]
SHOTS = os.environ.get("LOCAL_SHOTS_DIR")  # set to keep screenshots of the new pages


def _console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_reviewer_reads_local_dashboard_and_drills_into_a_cell(page, live_server, world, login):
    riverside = world["agreements"]["riverside"]
    local_history(agreement=riverside, count=400, days=300, owner=world["users"]["physicist.riverside"])
    errors = _console_errors(page)
    page.set_viewport_size({"width": 1400, "height": 1000})
    login(page, "physicist.riverside")
    page.get_by_role("link", name="Learning", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("local-total").inner_text() == "400"
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 5")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/local_dashboard.png", full_page=True)
    cell = page.get_by_test_id("crosstab").get_by_role("link").first
    expected = int(cell.inner_text())
    cell.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name=re.compile("^Originated in")).is_visible()
    rows = page.get_by_test_id("cell-events").locator("tbody tr")
    assert rows.count() == min(expected, 50)
    rows.first.get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{live_server.url}/review/events/")
    assert not errors, errors


def test_reviewer_flags_events_and_prints_the_packet_other_practice_gets_404(page, live_server, world, login, browser):
    riverside = world["agreements"]["riverside"]
    first = make_event(agreement=riverside, narrative="Patient Jane Doe's bolus was missing; caught at the time-out.")
    review_event(first, near_miss_risk=2)
    second = make_event(agreement=riverside)
    errors = _console_errors(page)
    login(page, "physicist.riverside")
    for event in (first, second):
        page.goto(f"{live_server.url}/review/events/{event.pk}/")
        page.get_by_test_id("flag-meeting").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("on the next safety meeting's agenda").is_visible()
    page.get_by_role("link", name="Learning", exact=True).click()
    page.get_by_role("link", name="Safety meeting").click()
    assert page.get_by_test_id("agenda-item").count() == 2
    page.get_by_test_id("packet-link").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("packet-page").count() == 2
    assert "Jane Doe" not in page.content()
    page.emulate_media(media="print")
    assert page.get_by_role("navigation", name="Main navigation").is_hidden()
    breaks = page.eval_on_selector_all(
        "[data-testid=packet-page]", "els => els.map(e => getComputedStyle(e).breakAfter)"
    )
    assert breaks == ["page", "auto"]
    if SHOTS:
        page.pdf(path=f"{SHOTS}/meeting_packet.pdf")
        page.screenshot(path=f"{SHOTS}/meeting_packet_print.png", full_page=True)
    page.emulate_media(media="screen")
    assert not errors, errors

    other = browser.new_context().new_page()
    login(other, "physicist.lakeside")
    for path in (f"/analytics/events/{first.pk}/print/", "/analytics/meeting/packet/"):
        response = other.goto(f"{live_server.url}{path}")
        assert response.status == 404 if "print" in path else "Jane Doe" not in other.content()
    other.goto(f"{live_server.url}/analytics/meeting/")
    assert other.get_by_test_id("agenda-empty").is_visible()


def test_reviewer_uploads_and_downloads_an_attachment_other_practice_gets_404(page, live_server, world, login, browser):
    from tests.factories.analytics import PNG

    event = make_event(agreement=world["agreements"]["riverside"])
    login(page, "physicist.riverside")
    page.goto(f"{live_server.url}/review/events/{event.pk}/")
    page.get_by_role("link", name="Attachments").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("identifier-reminder").is_visible()
    page.locator("#id_file").set_input_files({"name": "couch.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_label(re.compile("shows no patient identifiers")).check()
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("File attached.").is_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/attachments.png", full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="couch.png").click()
    download = info.value
    assert download.suggested_filename == "couch.png"
    assert Path(download.path()).read_bytes() == PNG
    href = page.get_by_role("link", name="couch.png").get_attribute("href")

    other = browser.new_context().new_page()
    login(other, "physicist.lakeside")
    assert other.goto(f"{live_server.url}{href}").status == 404
    assert other.goto(f"{live_server.url}/analytics/events/{event.pk}/attachments/").status == 404
