"""Dashboard pages: who may open them, what they show, CSV, and a constant number of queries at any size."""

import csv
import io

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.keys import pseudonym
from tests.factories.reporting import push_record
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

ANALYST_PAGES = ("reporting:pso-dashboard", "reporting:record-list")


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    """These tests sign in with force_login; the two-factor step is proven by the browser and security tests."""
    settings.ROILS_ENFORCE_2FA = False


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _queries(client, url) -> tuple[int, int, int]:
    """(status, practice-side queries, PSO-store queries) of one request."""
    with CaptureQueriesContext(connections["default"]) as practice, CaptureQueriesContext(connections["pso"]) as pso:
        response = client.get(url)
    return response.status_code, len(practice), len(pso)


def _grow(world, count: int) -> None:
    riverside, lakeside = world["agreements"]["riverside"], world["agreements"]["lakeside"]
    for i in range(count):
        push_record(riverside if i % 3 else lakeside, practice=pseudonym("practice", f"size-{i % 7}"),
                    quarter=("2025Q3", "2025Q4", "2026Q1")[i % 3], techniques=[("imrt_vmat", "srs_sbrt")[i % 2]],
                    contributing_factors=[("pm.training", "cp.patient", "ci.maintenance")[i % 3]])  # fmt: skip


@pytest.mark.parametrize("name", ANALYST_PAGES)
@pytest.mark.parametrize("username", ["staff.pso", "reporter.riverside", "physicist.riverside", "general.riverside"])
def test_analyst_pages_other_roles_get_404(client, world, users, name, username):
    assert _get(client, users[username], reverse(name)).status_code == 404


def test_record_detail_other_roles_and_other_pso_get_404(client, world, users):
    record = push_record(world["agreements"]["riverside"])
    url = reverse("reporting:record-detail", args=[record.pk])
    for username in ("staff.pso", "reporter.riverside", "physicist.riverside"):
        assert _get(client, users[username], url).status_code == 404
    other = second_pso()
    foreign = push_record(other["agreement"])
    response = _get(client, users["analyst.pso"], reverse("reporting:record-detail", args=[foreign.pk]))
    assert response.status_code == 404


def test_dashboard_pages_anonymous_redirected_to_login(client, world):
    for name in (*ANALYST_PAGES, "reporting:practice-dashboard", "reporting:participation"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pso_dashboard_shows_breakdowns_of_own_pso_only(client, world, users):
    push_record(world["agreements"]["riverside"], narrative="Riverside couch shift.")
    other = second_pso()
    push_record(other["agreement"], classification="therapeutic", narrative="Hilltop wrong site.")
    response = _get(client, users["analyst.pso"], reverse("reporting:pso-dashboard"))
    assert response.status_code == 200
    assert response.context["total"] == 1
    content = response.content.decode()
    assert 'id="dashboard-charts"' in content and "chart.umd.min.js" in content
    assert "Hilltop" not in content
    records = _get(client, users["analyst.pso"], reverse("reporting:record-list")).content.decode()
    assert "Riverside couch shift." in records and "Hilltop wrong site." not in records


def test_pso_dashboard_invalid_filter_ignored_not_an_error(client, world, users):
    push_record(world["agreements"]["riverside"])
    url = reverse("reporting:pso-dashboard") + "?technique=laser&quarter_from=2026Q2&quarter_to=2025Q1&pso=999"
    response = _get(client, users["analyst.pso"], url)
    assert response.status_code == 200
    assert response.context["total"] == 1


def test_pso_dashboard_csv_exports_a_breakdown(client, world, users):
    agreement = world["agreements"]["riverside"]
    push_record(agreement, contributing_factors=["pm.training", "cp.patient"])
    push_record(agreement, contributing_factors=["pm.training"])
    response = _get(client, users["analyst.pso"], reverse("reporting:pso-dashboard") + "?format=csv&dimension=cf_item")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "code"
    assert {r[0]: (r[2], r[3]) for r in rows[1:]} == {"pm.training": ("2", "100.0"), "cp.patient": ("1", "50.0")}
    trend = _get(client, users["analyst.pso"], reverse("reporting:pso-dashboard") + "?format=csv&dimension=trend")
    assert trend.content.decode().splitlines()[1].startswith("2026Q2")
    unknown = _get(client, users["analyst.pso"], reverse("reporting:pso-dashboard") + "?format=csv&dimension=nope")
    assert unknown.status_code == 404


def test_record_list_drill_down_and_detail_show_scrubbed_narrative(client, world, users):
    agreement = world["agreements"]["riverside"]
    push_record(agreement, barriers_failed=["hw.interlocks"], narrative="Interlock bypassed during QA.")
    push_record(agreement, barriers_failed=[], narrative="Nothing failed here.")
    url = reverse("reporting:record-list") + "?dimension=barrier_failed&value=hw.interlocks"
    response = _get(client, users["analyst.pso"], url)
    assert response.context["total"] == 1
    assert [r.narrative for r in response.context["records"]] == ["Interlock bypassed during QA."]
    record = response.context["records"][0]
    detail = client.get(reverse("reporting:record-detail", args=[record.pk]))
    assert "Interlock bypassed during QA." in detail.content.decode()
    assert "Interlocks" in detail.content.decode()


def test_practice_dashboard_own_practice_beside_suppressed_benchmark(client, world, users):
    riverside, lakeside = world["agreements"]["riverside"], world["agreements"]["lakeside"]
    push_record(riverside, classification="therapeutic", narrative="Riverside only.")
    push_record(lakeside, classification="unsafe_condition", narrative="Lakeside only.")
    response = _get(client, users["physicist.riverside"], reverse("reporting:practice-dashboard"))
    assert response.status_code == 200
    assert response.context["total"] == 1
    content = response.content.decode()
    assert "fewer than" in content and "—" in content
    assert "Lakeside only." not in content and "Riverside only." not in content
    rows = {r.value: r for r in next(b for b in response.context["breakdowns"] if b.key == "classification").rows}
    assert set(rows) == {"therapeutic"} and rows["therapeutic"].benchmark is None
    export = client.get(reverse("reporting:practice-dashboard") + "?format=csv&dimension=classification")
    assert "therapeutic,Therapeutic radiation incident,1,100.0,suppressed" in export.content.decode()


def test_practice_dashboard_suppressed_benchmark_has_no_empty_series_but_one_note(client, world, users):
    push_record(world["agreements"]["riverside"], classification="therapeutic")
    response = _get(client, users["physicist.riverside"], reverse("reporting:practice-dashboard"))
    charts = response.context["charts"]
    for key, chart in charts.items():
        if key == "trend":
            continue
        assert [ds["label"] for ds in chart["datasets"]] == ["Your practice (%)"], key
        assert chart["note"].startswith("All participants: not shown (fewer than 5")


def test_chart_data_keeps_the_benchmark_series_when_it_has_values():
    from reporting.dashboards import Breakdown
    from reporting.dashboards.dimensions import Row
    from reporting.views.charts import chart_data

    rows = [Row("a", "A", 3, 60.0, 40.0), Row("b", "B", 2, 40.0, None)]
    breakdown = Breakdown(dimension=None, rows=rows)
    chart = chart_data(breakdown, benchmark=True)
    assert [ds["label"] for ds in chart["datasets"]] == ["Your practice (%)", "All participants (%)"]
    assert chart["note"] == ""


@pytest.mark.parametrize("username", ["reporter.riverside", "staff.pso", "analyst.pso", "general.riverside"])
def test_practice_dashboard_without_full_access_404(client, world, users, username):
    assert _get(client, users[username], reverse("reporting:practice-dashboard")).status_code == 404


def test_practice_dashboard_foreign_location_key_shows_nothing_foreign(client, world, users):
    lakeside = world["agreements"]["lakeside"]
    facility = world["facilities"]["lakeside"][0]
    push_record(lakeside)
    url = reverse("reporting:practice-dashboard") + f"?facility={pseudonym('facility', facility.pk)}"
    response = _get(client, users["physicist.riverside"], url)
    assert response.status_code == 200
    assert response.context["total"] == 0


PAGES = [
    ("analyst.pso", "reporting:pso-dashboard", ""),
    ("analyst.pso", "reporting:pso-dashboard", "?technique=imrt_vmat&classification=near_miss&severity=none"),
    ("analyst.pso", "reporting:record-list", ""),
    ("analyst.pso", "reporting:record-list", "?dimension=cf_category&value=organizational"),
    ("physicist.riverside", "reporting:practice-dashboard", ""),
    ("physicist.riverside", "reporting:practice-dashboard", "?period=2026"),
    ("staff.pso", "reporting:participation", ""),
]


def test_dashboard_pages_constant_queries_at_two_sizes(client, world, users):
    def measure() -> list[tuple[int, int, int]]:
        found = []
        for username, name, query in PAGES:
            client.force_login(users[username])
            client.get(reverse(name) + query)  # the first request of a session may warm caches
            found.append(_queries(client, reverse(name) + query))
        return found

    _grow(world, 3)
    small = measure()
    _grow(world, 30)
    large = measure()
    assert all(status == 200 for status, _p, _s in small + large)
    assert small == large
    # Every page reads the PSO store in at most four queries, whatever its size.
    assert all(pso <= 4 for _status, _practice, pso in large)


def test_record_detail_constant_queries(client, world, users):
    agreement = world["agreements"]["riverside"]
    small = push_record(agreement, contributing_factors=["pm.training"])
    large = push_record(agreement, contributing_factors=["pm.training", "cp.patient", "ci.maintenance"],
                        barriers_failed=["hw.interlocks", "proc.timeout"])  # fmt: skip
    client.force_login(users["analyst.pso"])
    client.get(reverse("reporting:record-detail", args=[small.pk]))
    assert _queries(client, reverse("reporting:record-detail", args=[small.pk])) == _queries(
        client, reverse("reporting:record-detail", args=[large.pk])
    )


def test_pso_dashboard_valid_filters_kept_when_another_is_invalid(client, world, users):
    agreement = world["agreements"]["riverside"]
    push_record(agreement, classification="near_miss")
    push_record(agreement, classification="therapeutic")
    url = reverse("reporting:pso-dashboard") + "?technique=laser&classification=therapeutic"
    response = _get(client, users["analyst.pso"], url)
    assert response.context["total"] == 1
    assert "technique" in response.context["form"].errors
