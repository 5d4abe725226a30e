"""Rollups kept on ingest equal a rebuild from the store, whatever the sequence of inserts and replacements."""

import random
import threading

import pytest
from django.core.management import call_command
from django.db import connections

from reporting.keys import pseudonym
from reporting.models import RollupBenchmark, RollupCube, RollupFacility, RollupPractice, StoreRecord
from reporting.rollups import ANY, TABLES, dimension_values, rollups_rebuild, severity_band
from reporting.services import submission_enqueue, submission_push
from tests.factories.reporting import push_record, store_fields
from tests.reporting.outbox_records import real_broker, second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

TECHNIQUES = ["imrt_vmat", "srs_sbrt", "electrons", "hdr_brachy", "3d_conformal"]
CLASSIFICATIONS = ["near_miss", "unsafe_condition", "therapeutic", "other_safety"]
FACTORS = ["pm.training", "pm.communication.documentation", "cp.detect.attention", "ci.maintenance", "cp.patient"]
BARRIERS = ["hw.record_verify", "proc.timeout", "proc.chart_check", "proc.physicist_plan_review"]
HARMS = ["", "none", "mild", "moderate", "severe"]


def snapshot(pso_id=None) -> dict[str, set]:
    """Every rollup row, as plain tuples per table."""
    tables = {}
    for model in TABLES:
        names = [f.name for f in model._meta.concrete_fields if f.name != "pk"]
        qs = model.objects.using("pso").all()
        if pso_id is not None:
            qs = qs.filter(pso_id=pso_id)
        tables[model.__name__] = set(qs.values_list(*names))
    return tables


def random_fields(rng: random.Random, practices: list[str], facilities: dict[str, list[str]]) -> dict:
    practice = rng.choice(practices)
    return {
        "practice": practice,
        "facility": rng.choice(facilities[practice]),
        "quarter": rng.choice(["2025Q3", "2025Q4", "2026Q1", "2026Q2"]),
        "classification": rng.choice(CLASSIFICATIONS),
        "techniques": sorted(rng.sample(TECHNIQUES, rng.randint(0, 2))),
        "harm": rng.choice(HARMS),
        "medical_severity": rng.choice([None, 0, 1, 3, 6, 9]),
        "dosimetric_severity": rng.choice([None, 2, 7]),
        "workflow_origin": rng.choice(["treatment_planning", "treatment_delivery", ""]),
        "contributing_factors": sorted(rng.sample(FACTORS, rng.randint(0, 3))),
        "barriers_failed": sorted(rng.sample(BARRIERS, rng.randint(0, 2))),
        "barriers_caught": sorted(rng.sample(BARRIERS, rng.randint(0, 1))),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_apply_record_change_random_inserts_and_replacements_equal_rebuild(world, seed):
    rng = random.Random(seed)
    agreement = world["agreements"]["riverside"]
    practices = [pseudonym("practice", f"rollup-{i}") for i in range(6)]
    facilities = {p: [pseudonym("facility", f"{p}-{j}") for j in range(2)] for p in practices}
    reported: dict[str, int] = {}
    for _ in range(70):
        if reported and rng.random() < 0.45:
            key = rng.choice(list(reported))
            reported[key] += 1
            fields = random_fields(rng, practices, facilities)
            record = store_fields(agreement, event_key=key, revision=reported[key], **fields)
        else:
            record = store_fields(agreement, **random_fields(rng, practices, facilities))
            reported[record["event_key"]] = 1
        submission_push(submission_enqueue(record=record, agreement_id=agreement.pk))
    assert StoreRecord.objects.using("pso").count() == len(reported)
    incremental = snapshot()
    assert all(incremental.values())
    rollups_rebuild()
    assert snapshot() == incremental


def test_apply_record_change_replacement_moves_counts_and_leaves_no_zero_rows(world):
    agreement = world["agreements"]["riverside"]
    record = push_record(agreement, classification="near_miss", techniques=["imrt_vmat"])
    cube = RollupCube.objects.using("pso").filter(pso_id=agreement.pso_id, technique=ANY, dimension="classification")
    assert dict(cube.values_list("value", "n")) == {"near_miss": 1}
    fields = store_fields(agreement, event_key=record.event_key, revision=2, classification="therapeutic",
                          techniques=["srs_sbrt"], harm="mild", medical_severity=1)  # fmt: skip
    submission_push(submission_enqueue(record=fields, agreement_id=agreement.pk))
    assert dict(cube.values_list("value", "n")) == {"therapeutic": 1}
    techniques = RollupCube.objects.using("pso").filter(pso_id=agreement.pso_id, dimension="technique", technique=ANY)
    assert dict(techniques.values_list("value", "n")) == {"srs_sbrt": 1}
    for model in TABLES:
        assert not model.objects.using("pso").filter(n=0).exists(), model.__name__


def test_apply_record_change_older_revision_replayed_changes_nothing(world):
    agreement = world["agreements"]["riverside"]
    record = push_record(agreement, classification="near_miss")
    newer = store_fields(agreement, event_key=record.event_key, revision=3, classification="therapeutic")
    submission_push(submission_enqueue(record=newer, agreement_id=agreement.pk))
    before = snapshot()
    older = store_fields(agreement, event_key=record.event_key, revision=2, classification="unsafe_condition")
    submission_push(submission_enqueue(record=older, agreement_id=agreement.pk))
    assert snapshot() == before


def test_rollup_benchmark_counts_distinct_practices_per_cell(world):
    agreement = world["agreements"]["riverside"]
    for i in range(3):
        for _ in range(2):  # two events per practice: still one contributing practice
            push_record(agreement, practice=pseudonym("practice", f"bench-{i}"), classification="near_miss")
    cell = RollupBenchmark.objects.using("pso").get(
        pso_id=agreement.pso_id, window="all", dimension="classification", value="near_miss"
    )
    assert (cell.n, cell.practices) == (6, 3)
    practice_rows = RollupPractice.objects.using("pso").filter(window="all", dimension="total")
    assert sorted(practice_rows.values_list("n", flat=True)) == [2, 2, 2]


def test_rollups_rebuild_one_pso_leaves_other_pso_untouched(world):
    other = second_pso()
    push_record(world["agreements"]["riverside"])
    push_record(other["agreement"])
    mine, theirs = world["pso"].pk, other["pso"].pk
    before = snapshot(theirs)
    RollupCube.objects.using("pso").filter(pso_id=mine).delete()
    rollups_rebuild(mine)
    assert snapshot(theirs) == before
    assert RollupCube.objects.using("pso").filter(pso_id=mine, dimension="total").exists()


def test_rollups_rebuild_command_repairs_lost_rows(world):
    agreement = world["agreements"]["riverside"]
    push_record(agreement)
    push_record(agreement, quarter="2025Q1")
    expected = snapshot()
    RollupFacility.objects.using("pso").all().delete()
    call_command("rollups_rebuild", verbosity=0)
    assert snapshot() == expected


def test_dimension_values_empty_lists_count_as_none_recorded():
    values = dimension_values({"techniques": [], "contributing_factors": [], "barriers_failed": ["proc.timeout"],
                               "classification": "near_miss", "medical_severity": 0})  # fmt: skip
    assert ("technique", "") in values
    assert ("cf_item", "") in values and ("cf_category", "") in values
    assert ("barrier_failed", "proc.timeout") in values
    assert ("medical_severity", "0") in values
    assert ("total", "all") in values


def test_severity_band_bands_aapm_scores():
    assert [severity_band(s) for s in (None, 0, 1, 4, 5, 7, 8, 10)] == [
        "unscored", "none", "temporary", "temporary", "permanent", "permanent", "critical", "critical",
    ]


@pytest.mark.django_db(databases=["default", "pso"], transaction=True)
def test_apply_record_change_concurrent_pushes_equal_rebuild(world):
    agreement = world["agreements"]["riverside"]
    practices = [pseudonym("practice", f"concurrent-{i}") for i in range(3)]
    submissions = []
    with real_broker("memory://"):  # queued, not delivered at once: the threads below are the workers
        for i in range(24):
            # Same quarter, classification and technique: every push touches the same hot rows.
            record = store_fields(agreement, practice=practices[i % 3], contributing_factors=FACTORS[: 1 + i % 4])
            submissions.append(submission_enqueue(record=record, agreement_id=agreement.pk))
    assert not StoreRecord.objects.using("pso").exists()
    errors = []

    def worker(batch):
        try:
            for submission in batch:
                submission_push(submission)
        except Exception as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            for alias in ("default", "pso"):
                connections[alias].close()

    threads = [threading.Thread(target=worker, args=(submissions[i::3],)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    incremental = snapshot()
    cell = RollupBenchmark.objects.using("pso").get(window="all", dimension="total", value="all")
    assert (cell.n, cell.practices) == (24, 3)
    rollups_rebuild()
    assert snapshot() == incremental
