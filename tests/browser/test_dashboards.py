"""Dashboards in the browser: the analyst drills down to a record, a physicist sees the benchmark, nobody strays."""

import re

import pytest

from reporting.keys import pseudonym
from tests.factories.reporting import push_record
from tests.reporting.outbox_records import second_pso

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "pso"])]

FOREIGN_NARRATIVE = "Hilltop treated the wrong side."


@pytest.fixture
def store(world):
    """Riverside's and Lakeside's records, five peer practices, and one record of a second PSO."""
    riverside, lakeside = world["agreements"]["riverside"], world["agreements"]["lakeside"]
    push_record(riverside, classification="therapeutic", harm="mild", medical_severity=1,
                contributing_factors=["cp.patient", "pm.training"],
                narrative="Riverside: the couch shift was entered with the wrong sign.")  # fmt: skip
    push_record(riverside, narrative="Riverside: plan version mismatch caught at the time-out.")
    push_record(lakeside, classification="unsafe_condition", narrative="Lakeside: door interlock sticky.")
    for i in range(5):
        push_record(riverside, practice=pseudonym("practice", f"browser-peer-{i}"), narrative=f"Peer {i} event.")
    other = second_pso()
    foreign = push_record(other["agreement"], classification="therapeutic", narrative=FOREIGN_NARRATIVE)
    return {"foreign": foreign}


def _console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_analyst_sees_dashboard_and_drills_down_to_a_record(page, live_server, store, login):
    errors = _console_errors(page)
    login(page, "analyst.pso")
    page.goto(f"{live_server.url}/reporting/dashboard/")
    assert page.get_by_role("heading", name=re.compile("Aggregate dashboard")).is_visible()
    assert page.get_by_test_id("total-events").inner_text() == "8"
    # Chart.js drew every chart from the json_script data, under the strict CSP.
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 13")
    assert FOREIGN_NARRATIVE not in page.content()

    section = page.get_by_role("region", name="Contributing factors by AAPM category")
    section.get_by_text("Table view").click()
    section.get_by_role("link", name="Patient-related").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("record-count").inner_text() == "1"
    page.get_by_role("link", name=re.compile("^Record ")).first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Riverside: the couch shift was entered with the wrong sign.").is_visible()
    assert page.get_by_text("Patient-related circumstances").is_visible()
    assert FOREIGN_NARRATIVE not in page.content()
    assert not errors, errors  # no CSP violation, no script error

    # A record of the second PSO is not there for this analyst, not even by address.
    response = page.goto(f"{live_server.url}/reporting/records/{store['foreign'].pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/reporting/records/")
    assert FOREIGN_NARRATIVE not in page.content()


def test_physicist_sees_own_practice_beside_all_participants(page, live_server, store, login):
    errors = _console_errors(page)
    login(page, "physicist.riverside")
    page.goto(f"{live_server.url}/reporting/practice/")
    assert page.get_by_role("heading", name="Your practice vs. all participants").is_visible()
    assert page.get_by_test_id("own-total").inner_text() == "2"
    section = page.get_by_role("region", name="Event classification")
    section.get_by_text("Table view").click()
    table = section.get_by_role("table")
    assert table.get_by_role("columnheader", name="All participants").is_visible()
    near_miss = table.get_by_role("row", name=re.compile("Near miss"))
    assert "50.0%" in near_miss.inner_text() and "75.0%" in near_miss.inner_text()
    # Only Riverside reported therapeutic incidents: its own share is shown, the PSO-wide one suppressed.
    assert "—" in table.get_by_role("row", name=re.compile("Therapeutic")).inner_text()
    content = page.content()
    for other in ("Lakeside: door interlock sticky.", "Peer 0 event.", FOREIGN_NARRATIVE, "Unsafe condition"):
        assert other not in content
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 13")
    assert not errors, errors
    # The analyst pages are not theirs.
    assert page.goto(f"{live_server.url}/reporting/dashboard/").status == 404


@pytest.mark.parametrize("username", ["reporter.riverside", "staff.pso", "physicist.lakeside"])
def test_analyst_pages_404_for_other_roles(page, live_server, store, login, username):
    login(page, username)
    for path in ("/reporting/dashboard/", "/reporting/records/", f"/reporting/records/{store['foreign'].pk}/"):
        assert page.goto(f"{live_server.url}{path}").status == 404, path
        assert FOREIGN_NARRATIVE not in page.content()
