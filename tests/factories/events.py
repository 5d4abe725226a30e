"""Events built through the real `event_submit` service (and the builder the tenancy matrix looks up)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from events.services import event_submit
from foundation.taxonomy.events import AgeRange, EventClassification, PatientSex, ReporterRole, TreatmentTechnique
from practices.models import Coverage


def event_data(coverage: Coverage, **overrides) -> dict:
    """A typical, valid set of answers for `event_submit` (a form's cleaned_data looks the same)."""
    data = {
        "coverage": coverage,
        "sub_location": "Vault 2",
        "classification": EventClassification.NEAR_MISS,
        "narrative": "Wrong plan version was loaded at the console; caught at the time-out before beam on.",
        "techniques": [TreatmentTechnique.IMRT_VMAT],
        "event_date": timezone.localdate() - dt.timedelta(days=1),
        "event_time": None,
        "workflow_step_noticed": "",
        "age_range": AgeRange.AGE_60_69,
        "patient_sex": PatientSex.FEMALE,
        "reporter_role": ReporterRole.RADIATION_THERAPIST,
        "reporter_name": "",
        "stay_anonymous": False,
    }
    data.update(overrides)
    return data


def form_post(coverage: Coverage, **overrides) -> dict:
    """A valid POST body of the Submit Event form (what a browser sends), with a fresh idempotency key."""
    data = {
        "coverage": str(coverage.pk), "classification": EventClassification.NEAR_MISS,
        "techniques": [TreatmentTechnique.TBI], "reporter_role": ReporterRole.NURSE,
        "event_date": timezone.localdate().isoformat(), "idempotency_key": str(uuid.uuid4()),
        "age_range": AgeRange.UNKNOWN, "patient_sex": PatientSex.UNKNOWN,
        "narrative": "Bolus left off for one fraction; noticed at the next setup.",
    }
    return {**data, **overrides}


def build_event(*, agreement, user, **overrides):
    """One event under `agreement`, submitted by `user` (anonymous if it is a shared login) via the service."""
    coverage = Coverage.objects.filter(agreement=agreement, is_current=True).select_related("facility").first()
    key = overrides.pop("idempotency_key", None) or uuid.uuid4()
    notify = overrides.pop("notify", True)
    return event_submit(by=user, data=event_data(coverage, **overrides), idempotency_key=key, notify=notify)
