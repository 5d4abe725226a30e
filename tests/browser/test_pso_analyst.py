"""The PSO analyst's toolkit in the browser: search the store, export what was found."""

import csv
import io
import re

import pytest

from tests.factories.reporting import push_record
from tests.reporting.outbox_records import second_pso

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]

FOREIGN_NARRATIVE = "Hilltop: the bolus was forgotten."


@pytest.fixture
def store(world):
    riverside, lakeside = world["agreements"]["riverside"], world["agreements"]["lakeside"]
    push_record(riverside, narrative="Riverside: the bolus was left off for two fractions.",
                lessons_learned="Photograph the bolus at setup.")  # fmt: skip
    push_record(lakeside, narrative="Lakeside: wrong couch shift entered.", lessons_learned="Read shifts back.")
    push_record(lakeside, narrative="Lakeside: plan approved late.", lessons_learned="Check the bolus in the plan.")
    push_record(second_pso()["agreement"], narrative=FOREIGN_NARRATIVE)


def test_analyst_searches_the_store_and_exports_the_result(page, live_server, store, login, tmp_path):
    login(page, "analyst.pso")
    page.goto(f"{live_server.url}/reporting/records/")
    page.get_by_label("Search narratives and lessons").fill("bolus")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("record-count").inner_text() == "2"
    cards = page.locator("li.card")
    assert "left off for two fractions" in cards.nth(0).inner_text()  # the narrative's match ranks first
    assert FOREIGN_NARRATIVE not in page.content()
    page.screenshot(path=str(tmp_path / "records-search.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) == 3 and not any(FOREIGN_NARRATIVE in cell for row in rows for cell in row)
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename == "pso-records.xlsx"

    # Save the search, open the best match, tag it and write a note; the tag then filters the list.
    page.get_by_text("Saved searches").click()
    page.get_by_label("Name this search").fill("Bolus events")
    page.get_by_role("button", name="Save this search").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("saved-searches").get_by_role("link", name="Bolus events").is_visible()
    page.get_by_role("link", name=re.compile("^Record ")).first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Add a tag").fill("Bolus")
    page.get_by_role("button", name="Tag", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "bolus" in page.get_by_test_id("record-tags").inner_text()
    page.get_by_label("Add a note").fill("Ask whether the bolus was in the setup photo.")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_load_state("networkidle")
    assert "setup photo" in page.get_by_test_id("record-notes").inner_text()
    page.screenshot(path=str(tmp_path / "record-coding.png"), full_page=True)
    page.goto(f"{live_server.url}/reporting/records/?tag=bolus")
    assert page.get_by_test_id("record-count").inner_text() == "1"


def test_analyst_opens_a_signal_and_drafts_a_theme(page, live_server, world, login, tmp_path):
    from reporting.keys import pseudonym
    from reporting.safety import signals_detect

    riverside = world["agreements"]["riverside"]
    for n in range(3):
        push_record(riverside, practice=pseudonym("practice", f"browser-signal-{n}"), quarter="2026Q2",
                    problem_type="imaging", narrative=f"Practice {n}: the wrong CBCT preset was loaded.")  # fmt: skip
    signals_detect()
    login(page, "analyst.pso")
    page.goto(f"{live_server.url}/reporting/signals/")
    page.get_by_role("link", name=re.compile("Imaging")).first.click()
    page.wait_for_load_state("networkidle")
    assert "3 records from 3 practices" in page.get_by_test_id("signal-summary").inner_text()
    assert page.get_by_text("Practice 2: the wrong CBCT preset was loaded.").is_visible()
    page.screenshot(path=str(tmp_path / "signal.png"), full_page=True)
    page.get_by_role("button", name="Draft a theme from this signal").click()
    page.wait_for_load_state("networkidle")
    assert "Imaging" in page.get_by_label("Title").input_value()
    page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_load_state("networkidle")
    source = page.get_by_test_id("theme-source")
    assert "3 records" in source.inner_text()
    source.get_by_role("link", name="The signal").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="Open the theme drafted from it").is_visible()


def test_reviewer_answers_the_psos_question_and_the_analyst_reads_it(page, live_server, world, users, login):
    from reporting.models import StoreRecord
    from reporting.queries import record_query_ask
    from review.services import review_finalize
    from tests.factories.review import ready_event, reviewer_of

    riverside = world["agreements"]["riverside"]
    event = ready_event(agreement=riverside)
    review_finalize(event=event, by=reviewer_of(riverside), confirmed=True)
    event.refresh_from_db()
    record = StoreRecord.objects.get(event_key=event.review.pso_event_key)
    record_query_ask(by=users["analyst.pso"], record=record, question="Was the shift read back at the time-out?")

    login(page, "physicist.riverside")
    page.goto(f"{live_server.url}/review/events/{event.pk}/")
    questions = page.get_by_test_id("pso-questions")
    assert "read back at the time-out" in questions.inner_text()
    questions.get_by_label("Answer").fill("No: the therapist read the plan value, not the entered one.")
    questions.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state("networkidle")
    assert "Your answer" in page.get_by_test_id("pso-questions").inner_text()

    page.context.clear_cookies()
    login(page, "analyst.pso")
    page.goto(f"{live_server.url}/reporting/records/{record.pk}/")
    assert "the therapist read the plan value" in page.get_by_test_id("record-answer").inner_text()
