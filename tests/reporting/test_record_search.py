"""The analyst's record search and exports: ranked full-text search with the dashboard's filters, CSV and XLSX,
scoped to the analyst's PSO, a constant number of queries per page."""

import csv
import io

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reporting.models import StoreRecord
from reporting.search import EXPORT_FIELDS, records_search
from tests.factories.reporting import push_record
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

URL = reverse("reporting:record-list")


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    settings.ROILS_ENFORCE_2FA = False


@pytest.fixture
def analyst(client, users):
    client.force_login(users["analyst.pso"])
    return client


def _push(agreement, n, narrative, lessons="Read the shift back aloud.", **fields):
    from reporting.keys import pseudonym

    return push_record(agreement, event_key=pseudonym("event", f"search-{n}"), narrative=narrative,
                       lessons_learned=lessons, **fields)  # fmt: skip


def test_records_search_ranks_narrative_above_lessons_and_stems(world):
    riverside = world["agreements"]["riverside"]
    in_lessons = _push(riverside, 1, "Plan approved late.", lessons="Check the bolus before every fraction.")
    in_narrative = _push(riverside, 2, "The bolus was left off for two fractions; found at weekly imaging.")
    _push(riverside, 3, "Wrong couch shift entered.")
    found = list(records_search(StoreRecord.objects.all(), "boluses"))
    assert found == [in_narrative, in_lessons]
    assert list(records_search(StoreRecord.objects.all(), '"couch shift" -bolus')) != []
    assert list(records_search(StoreRecord.objects.all(), "bolus -weekly")) == [in_lessons]


def test_record_list_search_with_filters_only_own_pso(analyst, world):
    riverside, other = world["agreements"]["riverside"], second_pso()["agreement"]
    ours = _push(riverside, 1, "Bolus missing at fraction three.", classification="unsafe_condition")
    _push(riverside, 2, "Bolus missing at fraction one.", classification="near_miss")
    _push(other, 3, "Bolus missing in another PSO.")
    response = analyst.get(URL, {"q": "bolus", "classification": "unsafe_condition"})
    assert response.status_code == 200
    assert [r.pk for r in response.context["records"]] == [ours.pk]
    assert response.context["total"] == 1
    body = response.content.decode()
    assert "another PSO" not in body and "format=csv" in body and "q=bolus" in body


def test_record_list_search_too_long_is_a_form_error_not_500(analyst, world):
    _push(world["agreements"]["riverside"], 1, "Bolus missing.")
    response = analyst.get(URL, {"q": "x" * 300})
    assert response.status_code == 200
    assert response.context["form"].errors["q"]
    assert response.context["total"] == 1  # ignored: every record


def test_record_list_export_csv_and_xlsx_are_the_search_result(analyst, world):
    riverside, other = world["agreements"]["riverside"], second_pso()["agreement"]
    _push(riverside, 1, "=HYPERLINK(bad) bolus missing\x07 with a bell.")
    _push(riverside, 2, "Couch shift wrong.")
    _push(other, 3, "Bolus missing in another PSO.")
    response = analyst.get(URL, {"q": "bolus", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == EXPORT_FIELDS and len(rows) == 2
    narrative = rows[1][EXPORT_FIELDS.index("narrative")]
    assert narrative.startswith("'=HYPERLINK") and "\x07" not in narrative
    response = analyst.get(URL, {"q": "bolus", "format": "xlsx"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert list(values[0]) == EXPORT_FIELDS and len(values) == 2
    assert "another PSO" not in response.content.decode("latin-1")


@pytest.mark.parametrize("name", ["physicist.riverside", "staff.pso", "reporter.riverside"])
def test_record_list_export_other_roles_404(client, world, users, name):
    _push(world["agreements"]["riverside"], 1, "Bolus missing.")
    client.force_login(users[name])
    assert client.get(URL, {"q": "bolus", "format": "csv"}).status_code == 404


def _query_counts(client) -> list[tuple[int, int]]:
    """(practice-side, store) queries of a search page, its second page and its XLSX export."""
    counts = []
    for params in ({"q": "bolus"}, {"q": "bolus", "page": 2}, {"q": "bolus", "format": "xlsx"}):
        with (
            CaptureQueriesContext(connections["default"]) as practice,
            CaptureQueriesContext(connections["pso"]) as store,
        ):
            assert client.get(URL, params).status_code == 200
        counts.append((len(practice), len(store)))
    return counts


def test_record_list_search_and_export_constant_queries(analyst, world):
    riverside = world["agreements"]["riverside"]
    for n in range(30):
        _push(riverside, n, f"Bolus number {n} missing at the time-out.")
    small = _query_counts(analyst)
    for n in range(30, 80):
        _push(riverside, n, f"Bolus number {n} missing at the time-out.")
    assert _query_counts(analyst) == small
    # store: quarters, count, page, the page's tags; the export: quarters, rows
    assert small[0] == small[1] and small[0][1] <= 4 and small[2][1] <= 2


def test_record_list_export_jsonl_is_documented_in_the_served_data_dictionary(analyst, world):
    import json

    _push(world["agreements"]["riverside"], 1, "Bolus missing.", techniques=["imrt_vmat", "srs_sbrt"])
    response = analyst.get(URL, {"q": "bolus", "format": "jsonl"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/x-ndjson")
    (record,) = [json.loads(line) for line in response.content.decode().splitlines()]
    assert list(record) == EXPORT_FIELDS and record["techniques"] == ["imrt_vmat", "srs_sbrt"]
    dictionary = analyst.get(reverse("reporting:record-dictionary"))
    text = dictionary.content.decode()
    assert dictionary.status_code == 200 and "AHRQ Common Formats" in text
    documented = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert documented == set(EXPORT_FIELDS)
    store_fields = {f.name for f in StoreRecord._meta.concrete_fields} - {"id", "pso_id", "received_at"}
    assert store_fields == set(EXPORT_FIELDS)  # every stored field is exported and documented
