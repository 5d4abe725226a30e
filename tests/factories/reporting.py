"""Reporting test data through the real services: store records (outbox + push) and PSO themes.

`build_storerecord` and `build_theme` are the builders the tenancy isolation matrix looks up.
"""

from __future__ import annotations

import itertools

from practices.choices import PSORole
from practices.models import Agreement, Coverage, PSOMembership, User
from practices.services import pso_membership_set
from reporting.keys import pseudonym
from reporting.models import StoreRecord, Theme
from reporting.services import submission_enqueue, submission_push
from reporting.themes import theme_create

_events = itertools.count(1)


def store_fields(agreement: Agreement, *, practice: str | None = None, facility: str | None = None, **fields) -> dict:
    """A raw record as review hands it over: the agreement's practice and first location unless named."""
    if facility is None:
        coverage = Coverage.objects.filter(agreement=agreement).order_by("facility_id").first()
        facility = pseudonym("facility", coverage.facility_id)
    record = {
        "event_key": pseudonym("event", f"dashboards-{next(_events)}"),
        "practice_key": practice or pseudonym("practice", agreement.practice_id),
        "facility_key": facility,
        "revision": 1,
        "pso_id": agreement.pso_id,
        "quarter": "2026Q2",
        "classification": "near_miss",
        "techniques": ["imrt_vmat"],
        "workflow_noticed": "treatment_delivery",
        "workflow_origin": "treatment_planning",
        "workflow_detected": "treatment_delivery",
        "problem_type": "position_setup",
        "problem_types_secondary": [],
        "patients_affected": "none",
        "harm": "",
        "medical_severity": 0,
        "dosimetric_severity": None,
        "dose_deviation_percent": None,
        "contributing_factors": ["pm.training", "cp.detect.attention"],
        "barriers_failed": ["proc.chart_check"],
        "barriers_caught": ["proc.timeout"],
        "corrective_actions": ["proc.checklists"],
        "ameliorating_actions": [],
        "equipment_related": False,
        "equipment_manufacturer": "",
        "equipment_model": "",
        "software_version": "",
        "age_range": "60_69",
        "sex": "female",
        "reporter_role": "radiation_therapist",
        "possibly_reportable": False,
        "narrative": "The couch shift was entered with the wrong sign; caught at the time-out.",
        "lessons_learned": "Read the shift back aloud.",
        "taxonomy_version": "2026.1",
    }
    record.update(fields)
    return record


def push_record(agreement: Agreement, **fields) -> StoreRecord:
    """Report one record to the agreement's PSO and deliver it (outbox row, then the push), as in production."""
    record = store_fields(agreement, **fields)
    submission = submission_enqueue(record=record, agreement_id=agreement.pk)
    submission_push(submission)
    return StoreRecord.objects.using("pso").get(pso_id=agreement.pso_id, event_key=submission.event_key)


def build_storerecord(*, agreement: Agreement, user=None) -> StoreRecord:
    """One record in the store of the agreement's PSO, from the agreement's practice."""
    return push_record(agreement)


def pso_staff_for(pso) -> User:
    """An active staff login of the PSO (created through the service when there is none)."""
    membership = PSOMembership.objects.filter(pso=pso, role=PSORole.STAFF, is_active=True).select_related("user")
    if membership.exists():
        return membership.first().user
    user = User.objects.create(username=f"staff.factory{User.objects.count()}", email="staff@factory.example")
    pso_membership_set(by=None, pso=pso, user=user, role=PSORole.STAFF)
    return user


def build_theme(*, agreement: Agreement, user=None, publish: bool = True, **data) -> Theme:
    """A theme of the agreement's PSO, written by one of its staff."""
    fields = {"title": "Couch shifts entered with the wrong sign", "body": "Read the shift back at the time-out.",
              "tags": ["setup"], "categories": ["human"]}  # fmt: skip
    fields.update(data)
    return theme_create(by=pso_staff_for(agreement.pso), pso=agreement.pso, data=fields, publish=publish)


def build_recordtag(*, agreement: Agreement, user=None):
    """A tag on a record of the agreement's PSO."""
    from reporting.models import RecordTag

    record = push_record(agreement)
    return RecordTag.objects.create(pso_id=record.pso_id, record=record, label="factory")


def build_savedsearch(*, agreement: Agreement, user=None):
    """A saved record search of the agreement's PSO."""
    from reporting.models import SavedSearch

    return SavedSearch.objects.create(pso=agreement.pso, name="Factory search", query="q=bolus")


def build_safetysignal(*, agreement: Agreement, user=None):
    """A safety signal in the store of the agreement's PSO, behind one of its records."""
    from reporting.models import SafetySignal

    record = push_record(agreement)
    return SafetySignal.objects.create(
        pso_id=record.pso_id, kind="problem_type", value=f"factory-{record.pk}", quarter=record.quarter,
        practices=3, records=1, record_ids=[record.pk],
    )  # fmt: skip


def build_recordquery(*, agreement: Agreement, user=None):
    """A PSO analyst's question about a record the agreement reported."""
    from reporting.models import RecordQuery

    record = push_record(agreement)
    return RecordQuery.objects.create(pso_id=agreement.pso_id, agreement_id=agreement.pk, event_key=record.event_key,
                                      store_record_id=record.pk, question="Was the bolus on?")  # fmt: skip


def build_apitoken(*, agreement: Agreement, user=None):
    """An API token of the agreement's PSO, made by one of its staff (the matrix's foreign token)."""
    from reporting.tokens import api_token_create

    token, _secret = api_token_create(by=pso_staff_for(agreement.pso), pso=agreement.pso, name="Matrix token",
                                      scopes=["records:read"])  # fmt: skip
    return token
