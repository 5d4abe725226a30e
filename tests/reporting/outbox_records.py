"""Synthetic raw records, shaped as review builds them, and a second PSO: data for the outbox tests."""

from contextlib import contextmanager

from kombu import pools as kombu_pools

from practices.choices import PSORole
from practices.models import PSO, Agreement, User
from practices.services import FacilityData, participation_submit, pso_membership_set
from reporting.keys import pseudonym
from roils.celery import app as celery_app

NARRATIVE = "Plan approved with the wrong isocenter shift; caught at the weekly chart check."


def raw_record(*, agreement: Agreement, n: int = 0, revision: int = 1, narrative: str = NARRATIVE, **fields) -> dict:
    """A raw record with exactly the allowlisted keys, as review hands it to submission_enqueue."""
    record = {
        "event_key": pseudonym("event", f"test-{n}"),
        "practice_key": pseudonym("practice", agreement.practice_id),
        "facility_key": pseudonym("facility", f"{agreement.practice_id}-main"),
        "revision": revision,
        "pso_id": agreement.pso_id,
        "quarter": "2026Q3",
        "classification": "near_miss",
        "techniques": ["imrt_vmat", "srs_sbrt"],
        "workflow_noticed": "treatment_delivery",
        "workflow_origin": "treatment_planning",
        "workflow_detected": "treatment_delivery",
        "problem_type": "position_setup",
        "problem_types_secondary": ["imaging"],
        "patients_affected": "none",
        "harm": "",
        "medical_severity": 0,
        "dosimetric_severity": None,
        "dose_deviation_percent": None,
        "contributing_factors": ["pm.human_resources"],
        "barriers_failed": [],
        "barriers_caught": ["hw.record_verify"],
        "corrective_actions": ["hw.new_interlock"],
        "ameliorating_actions": [],
        "equipment_related": False,
        "equipment_manufacturer": "",
        "equipment_model": "",
        "software_version": "",
        "age_range": "60_69",
        "sex": "female",
        "reporter_role": "medical_physicist",
        "possibly_reportable": False,
        "narrative": narrative,
        "lessons_learned": "Check the shift against the plan report before the first fraction.",
        "taxonomy_version": "2026.1",
    }
    record.update(fields)
    return record


def second_pso() -> dict:
    """Another PSO with one practice (agreement) and one staff login, built through the real services."""
    pso = PSO.objects.create(name="Second Safety PSO", slug="second-pso")
    agreement = participation_submit(
        pso=pso,
        practice_data={"name": "Hilltop Oncology", "address_line1": "1 Hill Road", "city": "Denver", "state": "CO",
                       "zip_code": "80202", "contact_name": "Lee Hill", "contact_email": "lee@hilltop.example"},
        facilities=[FacilityData("Hilltop Main", "Denver", "CO", "80202")],
    )
    staff = User.objects.create(username="staff.second", email="staff@second.example")
    pso_membership_set(by=None, pso=pso, user=staff, role=PSORole.STAFF)
    return {"pso": pso, "agreement": agreement, "staff": staff}


@contextmanager
def real_broker(url: str):
    """Publish this process's tasks to a real broker (test settings run them eagerly in-process otherwise).

    The app caches its connection pools on first use; they are dropped here so the new URL takes effect.
    """
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = url, False
    _drop_pools()
    try:
        yield
    finally:
        _drop_pools()
        conf.broker_url, conf.task_always_eager = saved


def _drop_pools() -> None:
    # kombu keeps its pools in a process-wide registry keyed by broker URL: closing the app's pool alone left a
    # closed pool there, which the next use of the same URL got back ("Acquire on closed pool").
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
