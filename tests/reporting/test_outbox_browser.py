"""The PSO staff outbox page in the browser: failed deliveries visible, filters by keyboard, no narrative."""

import os
from unittest import mock

import pytest
from django.db import OperationalError

from reporting.services import submission_deliver, submission_enqueue

from .outbox_records import raw_record, real_broker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]

NARRATIVE = "Couch shift entered with the wrong sign at the North Clinic."
SHOTS = os.environ.get("ROILS_SCREENSHOTS")  # a folder: also save desktop and phone screenshots there


@pytest.fixture
def outbox(world):
    agreement = world["agreements"]["riverside"]
    with real_broker("memory://"):  # queued, never delivered: the worker is "down"
        rows = [submission_enqueue(record=raw_record(agreement=agreement, n=n, narrative=NARRATIVE),
                                   agreement_id=agreement.pk) for n in range(4)]  # fmt: skip
    down = OperationalError("could not connect to server: Connection refused")
    for row in rows[:2]:
        with mock.patch("reporting.services._store_upsert_many", side_effect=down), pytest.raises(OperationalError):
            submission_deliver(row.pk)
    return rows


def test_outbox_staff_sees_failed_deliveries_and_filters_by_keyboard(page, live_server, login, outbox):
    login(page, "staff.pso")
    page.get_by_role("link", name="Outbox").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="PSO deliveries").is_visible()
    body = page.content()
    assert "OperationalError: could not connect to server" in body
    assert NARRATIVE not in body and outbox[0].event_key not in body
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/outbox-desktop.png", full_page=True)
    page.get_by_role("link", name="Failed").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/outbox/?state=failed")
    assert page.locator("table tbody tr").count() == 2
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/reporting/outbox/")
    assert page.locator("ul.list-group li").first.is_visible()
    assert not page.locator("table").is_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/outbox-phone.png", full_page=True)


def test_outbox_nothing_undelivered_says_so(page, live_server, login, world):
    login(page, "staff.pso")
    page.goto(f"{live_server.url}/reporting/outbox/")
    assert page.get_by_role("status").inner_text().strip() == "Every reported record has been delivered."
