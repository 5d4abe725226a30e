"""Safety signals: clusters across practices and rises over a practice's baseline, found idempotently by a beat
job, listed for the PSO's analysts with their records, and turned into a draft theme that keeps the links."""

import pytest
from django.urls import reverse

from reporting.keys import pseudonym
from reporting.models import SafetySignal, Theme
from reporting.safety import signals_detect
from reporting.tasks import safety_signals_task
from roils.celery import app
from tests.factories.reporting import push_record
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    settings.ROILS_ENFORCE_2FA = False


def _practice(n: int) -> str:
    return pseudonym("practice", f"signals-{n}")


def _cluster(agreement, practices: int, quarter="2026Q2", **fields):
    common = {"problem_type": "position_setup", "workflow_origin": "treatment_planning"} | fields
    return [push_record(agreement, practice=_practice(n), quarter=quarter, **common) for n in range(practices)]


def _signals() -> set[tuple]:
    return set(SafetySignal.objects.filter(active=True).values_list("kind", "value", "quarter", "practices"))


def test_signals_detect_three_practices_one_quarter_each_kind(world):
    riverside = world["agreements"]["riverside"]
    records = _cluster(riverside, 3, equipment_related=True, equipment_manufacturer="Acme", equipment_model="LX")
    _cluster(riverside, 2, quarter="2026Q1", problem_type="dose_calculation")  # two practices: no signal
    assert signals_detect() == 3
    assert _signals() == {
        ("problem_type", "position_setup", "2026Q2", 3),
        ("process_step", "treatment_planning", "2026Q2", 3),
        ("equipment", "Acme / LX", "2026Q2", 3),
    }
    signal = SafetySignal.objects.get(kind="problem_type")
    assert sorted(signal.record_ids) == sorted(r.pk for r in records) and signal.pso_id == riverside.pso_id


def test_signals_detect_twice_changes_nothing_and_old_findings_go_inactive(world):
    riverside = world["agreements"]["riverside"]
    records = _cluster(riverside, 3)
    signals_detect()
    before = list(SafetySignal.objects.order_by("pk").values())
    assert signals_detect() == 2
    assert list(SafetySignal.objects.order_by("pk").values()) == before
    from reporting.models import StoreRecord

    StoreRecord.objects.filter(pk=records[0].pk).update(problem_type="imaging")  # a newer revision, say
    signals_detect()
    assert not SafetySignal.objects.get(kind="problem_type").active
    assert SafetySignal.objects.count() == 2


def test_signals_detect_rate_well_above_a_practices_own_baseline(world):
    riverside = world["agreements"]["riverside"]
    practice = _practice(9)
    for quarter in ("2025Q2", "2025Q3", "2025Q4", "2026Q1"):
        push_record(riverside, practice=practice, quarter=quarter, problem_type="imaging")
    for _ in range(6):
        push_record(riverside, practice=practice, quarter="2026Q2", problem_type="imaging")
    signals_detect()
    rise = SafetySignal.objects.get(kind="rate_rise")
    assert (rise.value, rise.quarter, rise.records, rise.baseline) == (practice, "2026Q2", 6, 1.0)


def test_signals_per_pso_never_mixed(world):
    other = second_pso()["agreement"]
    _cluster(world["agreements"]["riverside"], 2)
    _cluster(other, 1)
    assert signals_detect() == 0  # three practices in all, but in two PSOs


def test_safety_signals_task_is_scheduled_and_runs(world):
    _cluster(world["agreements"]["riverside"], 3)
    assert "reporting.tasks.safety_signals_task" in {e["task"] for e in app.conf.beat_schedule.values()}
    assert safety_signals_task.delay().get() == 2


def test_signal_pages_analyst_only_own_pso_and_theme_keeps_links(client, world, users):
    records = _cluster(world["agreements"]["riverside"], 3)
    foreign = _cluster(second_pso()["agreement"], 3)
    signals_detect()
    ours = SafetySignal.objects.get(kind="problem_type", pso_id=world["pso"].pk)
    theirs = SafetySignal.objects.get(kind="problem_type", pso_id=foreign[0].pso_id)
    client.force_login(users["analyst.pso"])
    listing = client.get(reverse("reporting:signal-list"))
    assert listing.status_code == 200 and {s.pk for s in listing.context["signals"]} == {
        s.pk for s in SafetySignal.objects.filter(pso_id=world["pso"].pk)
    }
    detail = client.get(reverse("reporting:signal-detail", args=[ours.pk]))
    assert {r.pk for r in detail.context["records"]} == {r.pk for r in records}
    assert client.get(reverse("reporting:signal-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("reporting:signal-theme", args=[theirs.pk])).status_code == 404

    response = client.post(reverse("reporting:signal-theme", args=[ours.pk]))
    theme = Theme.objects.get()
    assert response["Location"] == reverse("reporting:theme-update", args=[theme.pk])
    assert theme.published_at is None and theme.pso_id == world["pso"].pk
    assert (theme.source_signal_id, sorted(theme.source_record_ids)) == (ours.pk, sorted(r.pk for r in records))
    client.post(reverse("reporting:signal-theme", args=[ours.pk]))
    assert Theme.objects.count() == 1  # drafting again opens the same draft
    page = client.get(reverse("reporting:theme-detail", args=[theme.pk])).content.decode()
    assert reverse("reporting:record-detail", args=[records[0].pk]) in page

    for name in ("staff.pso", "physicist.riverside"):
        client.force_login(users[name])
        assert client.get(reverse("reporting:signal-list")).status_code == 404
