"""Aggregate selectors: analyst breakdowns and filters, drill-down counts, practice figures and the benchmark."""

import pytest

from reporting import dashboards as d
from reporting.keys import pseudonym
from reporting.models import RollupBenchmark, RollupCube, RollupFacility, RollupPractice, StoreRecord
from tests.factories.reporting import push_record
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])


def _counts(breakdowns, key) -> dict[str, int]:
    return {row.value: row.n for row in next(b for b in breakdowns if b.key == key).rows}


@pytest.fixture
def riverside(world):
    return world["agreements"]["riverside"]


@pytest.fixture
def analyst(users):
    return users["analyst.pso"]


def test_pso_breakdowns_count_events_once_per_value(world, riverside, analyst):
    push_record(riverside, classification="near_miss", techniques=["imrt_vmat", "srs_sbrt"],
                contributing_factors=["cp.detect.attention", "cp.staff_behavior", "pm.training"])  # fmt: skip
    push_record(riverside, classification="therapeutic", techniques=["imrt_vmat"], contributing_factors=[],
                harm="mild", medical_severity=2)  # fmt: skip
    total, breakdowns = d.pso_breakdowns(user=analyst, pso_id=world["pso"].pk, filters=d.DashboardFilters())
    assert total == 2
    assert _counts(breakdowns, "classification") == {"near_miss": 1, "therapeutic": 1}
    assert _counts(breakdowns, "technique") == {"imrt_vmat": 2, "srs_sbrt": 1}
    # Two human-behaviour factors on one event count that event once in its AAPM category.
    assert _counts(breakdowns, "cf_category") == {"human": 1, "organizational": 1, "": 1}
    assert _counts(breakdowns, "harm") == {"mild": 1, "": 1}
    technique = next(b for b in breakdowns if b.key == "technique")
    assert [r.percent for r in technique.rows] == [100.0, 50.0]


def test_pso_breakdowns_filters_narrow_every_breakdown(world, riverside, analyst):
    push_record(riverside, quarter="2025Q4", classification="near_miss", techniques=["imrt_vmat"], medical_severity=0)
    push_record(riverside, quarter="2026Q1", classification="near_miss", techniques=["srs_sbrt"], medical_severity=0)
    push_record(riverside, quarter="2026Q1", classification="therapeutic", techniques=["srs_sbrt"],
                medical_severity=6, harm="moderate")  # fmt: skip
    pso_id = world["pso"].pk

    def total(**filters):
        return d.pso_breakdowns(user=analyst, pso_id=pso_id, filters=d.DashboardFilters(**filters))[0]

    assert total() == 3
    assert total(quarter_from="2026Q1") == 2
    assert total(quarter_to="2025Q4") == 1
    assert total(technique="srs_sbrt") == 2
    assert total(technique="srs_sbrt", classification="near_miss") == 1
    assert total(severity="permanent") == 1
    assert total(severity="none", technique="imrt_vmat") == 1
    trend = d.pso_trend(user=analyst, pso_id=pso_id, filters=d.DashboardFilters(technique="srs_sbrt"))
    assert trend["quarters"] == ["2026Q1"] and trend["totals"] == [2]


def test_pso_breakdowns_second_pso_records_never_counted(world, riverside, analyst):
    other = second_pso()
    push_record(riverside)
    push_record(other["agreement"], classification="therapeutic")
    total, breakdowns = d.pso_breakdowns(user=analyst, pso_id=world["pso"].pk, filters=d.DashboardFilters())
    assert total == 1 and _counts(breakdowns, "classification") == {"near_miss": 1}


@pytest.mark.parametrize("username", ["staff.pso", "physicist.riverside", "reporter.riverside"])
def test_pso_dashboard_selectors_for_a_non_analyst_find_nothing(world, riverside, users, username):
    push_record(riverside)
    user, pso_id, filters = users[username], world["pso"].pk, d.DashboardFilters()
    assert d.pso_breakdowns(user=user, pso_id=pso_id, filters=filters)[0] == 0
    assert d.pso_trend(user=user, pso_id=pso_id, filters=filters)["quarters"] == []
    assert d.store_quarters(user=user, pso_id=pso_id) == []
    assert d.record_count(user=user, pso_id=pso_id, filters=filters) == 0
    assert d.analyst_psos(user) == []


def test_pso_dashboard_selectors_for_another_psos_analyst_find_nothing(world, riverside, analyst):
    other = second_pso()
    push_record(other["agreement"])
    other_pso, filters = other["agreement"].pso_id, d.DashboardFilters()
    assert d.pso_breakdowns(user=analyst, pso_id=other_pso, filters=filters)[0] == 0
    assert d.store_quarters(user=analyst, pso_id=other_pso) == []
    records = d.records_matching(StoreRecord.objects.for_user(analyst, action="analyse"), pso_id=other_pso,
                                 filters=filters)
    assert not records.exists()


@pytest.mark.parametrize(
    ("dimension", "value", "expected"),
    [
        ("cf_category", "human", 2),
        ("cf_item", "pm.training", 1),
        ("barrier_failed", "", 1),
        ("technique", "srs_sbrt", 1),
        ("medical_severity", "", 1),
        ("harm", "moderate", 1),
        ("", "", 3),
    ],
)
def test_record_count_from_rollups_matches_records_matching(world, riverside, analyst, dimension, value, expected):
    push_record(riverside, contributing_factors=["cp.detect.attention"], barriers_failed=[])
    push_record(riverside, contributing_factors=["pm.training", "cp.staff_behavior"], techniques=["srs_sbrt"])
    push_record(riverside, contributing_factors=[], medical_severity=None, harm="moderate")
    where = {"pso_id": world["pso"].pk, "filters": d.DashboardFilters(), "dimension": dimension, "value": value}
    records = d.records_matching(StoreRecord.objects.for_user(analyst, action="analyse"), **where)
    assert d.record_count(user=analyst, **where) == expected
    assert len(list(records)) == expected


def test_store_records_for_user_analyse_only_analysts_of_the_pso(world, riverside, users):
    other = second_pso()
    mine = push_record(riverside)
    push_record(other["agreement"])
    assert list(StoreRecord.objects.for_user(users["analyst.pso"], action="analyse")) == [mine]
    for username in ("staff.pso", "physicist.riverside", "reporter.riverside"):
        for action in ("view", "enrol", "review", "analyse"):
            assert not StoreRecord.objects.for_user(users[username], action=action).exists(), (username, action)
    assert StoreRecord.objects.using("pso").count() == 2


def test_store_scope_is_a_filter_on_its_own_pso_id_column(world, riverside, users):
    """The store lives in another database: its scope must never join a practice table."""
    push_record(riverside)
    analyst = users["analyst.pso"]
    for model in (StoreRecord, RollupCube, RollupFacility, RollupPractice, RollupBenchmark):
        scoped = model.objects.for_user(analyst, action="analyse")
        sql = str(scoped.query)
        assert "JOIN" not in sql and f"IN ({world['pso'].pk})" in sql, (model.__name__, sql)
        assert scoped.db == "pso" and scoped.exists()
        assert not model.objects.for_user(users["staff.pso"], action="analyse").exists()


def _push_from_practices(agreement, count: int, **fields) -> None:
    for i in range(count):
        push_record(agreement, practice=pseudonym("practice", f"peer-{i}"), **fields)


def test_benchmark_percentages_cell_with_four_practices_suppressed_five_shown(world, riverside):
    pso_id = world["pso"].pk
    _push_from_practices(riverside, 6, classification="near_miss")
    # "therapeutic" from four practices: the cell could point at one of them.
    _push_from_practices(riverside, 4, classification="therapeutic")
    shares = d.benchmark_percentages(pso_id, "classification", {"window": "all"})
    assert shares["therapeutic"] is None
    assert shares["near_miss"] == 60.0
    # A fifth practice reports one: now shown.
    push_record(riverside, practice=pseudonym("practice", "peer-fifth"), classification="therapeutic")
    shares = d.benchmark_percentages(pso_id, "classification", {"window": "all"})
    assert shares["therapeutic"] == round(100 * 5 / 11, 1)


def test_benchmark_percentages_fewer_than_five_practices_in_all_suppresses_everything(world, riverside):
    _push_from_practices(riverside, 4, classification="near_miss")
    assert d.benchmark_percentages(world["pso"].pk, "classification", None) == {"near_miss": None}


def test_benchmark_percentages_period_is_a_year(world, riverside):
    _push_from_practices(riverside, 5, quarter="2025Q2")
    _push_from_practices(riverside, 2, quarter="2026Q1", classification="therapeutic")
    assert d.benchmark_percentages(world["pso"].pk, "classification", d.PracticeFilters(window="2025")) == {
        "near_miss": 100.0
    }
    assert d.benchmark_percentages(world["pso"].pk, "classification", d.PracticeFilters(window="2026")) == {
        "therapeutic": None
    }
    assert [w for w, _label in d.benchmark_periods(world["pso"].pk)] == ["all", "2026", "2025"]


def test_practice_breakdowns_own_figures_only_and_benchmark_beside(world, riverside, users):
    lakeside = world["agreements"]["lakeside"]
    push_record(riverside, classification="near_miss")
    push_record(riverside, classification="therapeutic", harm="mild", medical_severity=1)
    push_record(lakeside, classification="unsafe_condition")
    _push_from_practices(riverside, 5, classification="near_miss")
    scope = next(s for s in d.practice_scopes(users["physicist.riverside"]) if s.agreement == riverside)
    total, breakdowns = d.practice_breakdowns(scope, d.PracticeFilters())
    assert total == 2
    rows = {r.value: r for r in next(b for b in breakdowns if b.key == "classification").rows}
    assert (rows["near_miss"].n, rows["near_miss"].percent, rows["near_miss"].benchmark) == (1, 50.0, 75.0)
    # One practice reported therapeutic incidents: the practice sees its own, not the suppressed PSO figure.
    assert (rows["therapeutic"].n, rows["therapeutic"].benchmark, rows["therapeutic"].suppressed) == (1, None, True)
    # Lakeside's unsafe condition comes from one practice: suppressed, so not even listed for Riverside.
    assert "unsafe_condition" not in rows


def test_practice_breakdowns_one_location(world, riverside, users):
    main, north = world["facilities"]["riverside"][:2]
    push_record(riverside, facility=pseudonym("facility", main.pk), classification="near_miss")
    push_record(riverside, facility=pseudonym("facility", north.pk), classification="therapeutic")
    scope = d.practice_scopes(users["physicist.riverside"])[0]
    assert {key for key, _name in scope.facilities} == {pseudonym("facility", f.pk) for f in (main, north)}
    total, breakdowns = d.practice_breakdowns(scope, d.PracticeFilters(facility=pseudonym("facility", north.pk)))
    assert total == 1
    assert _counts(breakdowns, "classification") == {"therapeutic": 1}
    trend = d.practice_trend(scope, d.PracticeFilters(facility=pseudonym("facility", north.pk)))
    assert trend == {"quarters": ["2026Q2"], "totals": [1]}


def test_practice_scopes_full_access_agreements_only(world, users):
    assert d.practice_scopes(users["reporter.riverside"]) == []
    assert d.practice_scopes(users["analyst.pso"]) == []
    scopes = d.practice_scopes(users["physicist.lakeside"])
    assert [s.agreement for s in scopes] == [world["agreements"]["lakeside"]]


def test_quarter_span_crosses_years():
    assert d.quarter_span("2025Q3", "2026Q2") == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
    assert d.quarter_span("2026Q1", "2026Q1") == ["2026Q1"]


def test_pso_trend_quarters_without_events_show_zero(world, riverside, analyst):
    push_record(riverside, quarter="2025Q3")
    push_record(riverside, quarter="2026Q1", classification="therapeutic")
    trend = d.pso_trend(user=analyst, pso_id=world["pso"].pk, filters=d.DashboardFilters())
    assert trend["quarters"] == ["2025Q3", "2025Q4", "2026Q1"]
    assert trend["totals"] == [1, 0, 1]
    assert [s["value"] for s in trend["series"]] == ["therapeutic", "near_miss"]


def test_practice_breakdowns_sibling_agreement_of_same_practice_kept_apart(world, riverside, users):
    from django.utils import timezone

    from practices.choices import AgreementState, Role
    from practices.models import Facility, User
    from practices.services import agreement_create, agreement_transition, membership_grant

    staff = users["staff.pso"]
    site = Facility.objects.create(practice=riverside.practice, name="Riverside Satellite")
    satellite = agreement_create(by=staff, pso=world["pso"], practice=riverside.practice, facilities=[site])
    signatories = {"practice_signatory": "A", "pso_signatory": "B", "signed_on": timezone.localdate()}
    for step in (AgreementState.AGREEMENT_SENT, AgreementState.EXECUTED, AgreementState.TRAINED):
        satellite = agreement_transition(agreement=satellite, by=staff, to=step,
                                         signatories=signatories if step == AgreementState.EXECUTED else None)
    physicist = User.objects.create(username="physicist.satellite", email="p@satellite.example")
    membership_grant(by=staff, agreement=satellite, user=physicist, role=Role.FULL_ACCESS)
    satellite = agreement_transition(agreement=satellite, by=staff, to=AgreementState.ACTIVE)
    push_record(riverside, classification="therapeutic")  # Riverside's main agreement, same practice key
    push_record(satellite, classification="near_miss")
    scope = d.practice_scopes(physicist)[0]
    assert scope.practice_key == pseudonym("practice", riverside.practice_id)
    total, breakdowns = d.practice_breakdowns(scope, d.PracticeFilters())
    assert total == 1 and _counts(breakdowns, "classification") == {"near_miss": 1}
    main = next(s for s in d.practice_scopes(users["physicist.riverside"]) if s.agreement == riverside)
    assert d.practice_breakdowns(main, d.PracticeFilters())[0] == 1
