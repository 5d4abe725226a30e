"""Review services: saving with optimistic locking, the lifecycle, action items and reporting to the PSO."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from foundation.taxonomy import review as rc
from foundation.taxonomy.events import EventClassification, EventStatus
from practices.models import AuditEntry
from reporting.models import Submission
from review.models import ActionItem, Review
from review.services import (
    ReviewConflict,
    action_item_add,
    action_item_update,
    event_mark_received,
    event_transition,
    missing_for_report,
    pso_record_for,
    review_finalize,
    review_save,
)
from tests.factories.review import COMPLETE, make_event, ready_event, review_event

S = EventStatus
pytestmark = pytest.mark.django_db


def _audit(event, action):
    return AuditEntry.objects.filter(object_type="events.event", object_id=str(event.pk), action=action)


# --- review_save ---------------------------------------------------------------------------------


def test_review_save_new_event_moves_to_in_review_and_audits_fields(riverside, physicist):
    event = make_event(agreement=riverside)
    review = review_save(review=Review(event=event), by=physicist, data={"title": "Shift sign error"},
                         expected_version=0)
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW
    assert review.lock_version == 1 and review.updated_by == physicist
    saved = _audit(event, "review_saved").get()
    assert saved.changes["title"] == ["", "Shift sign error"] and saved.actor == physicist
    assert _audit(event, "event_transition").get().changes["status"] == [S.NEW, S.IN_REVIEW]


def test_review_save_stale_version_raises_conflict_and_overwrites_nothing(riverside, physicist, director):
    event = make_event(agreement=riverside)
    review_save(review=Review(event=event), by=physicist, data={"reviewer_notes": "Maria's notes"},
                expected_version=0)
    with pytest.raises(ReviewConflict) as conflict:
        review_save(review=Review(event=event), by=director, data={"reviewer_notes": "David's notes"},
                    expected_version=0)
    assert "Maria Chen saved changes at" in str(conflict.value)
    assert "reload to see them — your text is kept below" in str(conflict.value)
    review = Review.objects.get(event=event)
    assert review.reviewer_notes == "Maria's notes" and review.lock_version == 1


def test_review_save_near_miss_drops_harm_and_dose_answers(riverside, physicist):
    event = make_event(agreement=riverside, classification=EventClassification.NEAR_MISS)
    review = review_save(review=Review(event=event), by=physicist, expected_version=0, data={
        "harm": rc.Harm.SEVERE, "medical_severity": 7, "dose_deviation_percent": 30, "dosimetric_severity": 8,
        "barriers_caught": ["proc.timeout"], "equipment_related": False, "equipment_model": "TrueBeam",
    })
    assert review.harm == "" and review.medical_severity is None
    assert review.dose_deviation_percent is None and review.dosimetric_severity is None
    assert review.patients_affected == rc.PatientsAffected.NONE
    assert review.barriers_caught == ["proc.timeout"]
    assert review.equipment_model == ""


def test_review_save_therapeutic_keeps_dose_and_barriers_that_caught_it_part_way(riverside, physicist):
    event = make_event(agreement=riverside, classification=EventClassification.THERAPEUTIC)
    review = review_save(review=Review(event=event), by=physicist, expected_version=0, data={
        "harm": rc.Harm.MILD, "dose_deviation_percent": 12.5, "barriers_caught": ["proc.timeout"],
    })
    assert review.harm == rc.Harm.MILD and float(review.dose_deviation_percent) == 12.5
    assert review.barriers_caught == ["proc.timeout"]  # an incident caught part-way through the course


def test_review_save_operational_drops_caught_barriers(riverside, physicist):
    event = make_event(agreement=riverside, classification=EventClassification.OPERATIONAL)
    review = review_save(review=Review(event=event), by=physicist, expected_version=0,
                         data={"barriers_caught": ["proc.timeout"]})
    assert review.barriers_caught == []


def test_review_save_unknown_factor_code_refused(riverside, physicist):
    event = make_event(agreement=riverside)
    with pytest.raises(ValidationError):
        review_save(review=Review(event=event), by=physicist, data={"contributing_factors": ["made.up"]},
                    expected_version=0)
    assert not Review.objects.filter(event=event).exists()


def test_review_save_reclassification_is_audited(riverside, physicist):
    event = make_event(agreement=riverside, classification=EventClassification.NEAR_MISS)
    review_save(review=Review(event=event), by=physicist, data={"classification": EventClassification.THERAPEUTIC},
                expected_version=0)
    event.refresh_from_db()
    assert event.classification == EventClassification.THERAPEUTIC
    assert _audit(event, "review_saved").get().changes["classification"] == ["near_miss", "therapeutic"]


def test_review_save_reporter_refused(riverside, users):
    event = make_event(agreement=riverside)
    with pytest.raises(PermissionDenied):
        review_save(review=Review(event=event), by=users["reporter.riverside"], data={"title": "x"},
                    expected_version=0)


def test_review_save_reported_event_refused_until_reopened(riverside, physicist):
    event = ready_event(agreement=riverside)
    review_finalize(event=event, by=physicist, confirmed=True)
    with pytest.raises(ValidationError, match="reopen it"):
        review_event(event, title="Changed after reporting")
    assert Review.objects.get(event=event).title == COMPLETE["title"]


# --- completeness -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("classification", "needed", "not_needed"),
    [
        (EventClassification.THERAPEUTIC, {"harm", "dosimetric_severity", "fractions_incorrect"}, {"barriers_caught"}),
        (EventClassification.NEAR_MISS, {"barriers_caught", "barriers_failed"}, {"harm", "dosimetric_severity"}),
        (EventClassification.UNSAFE_CONDITION, {"title", "contributing_factors"}, {"harm", "barriers_caught"}),
    ],
)
def test_missing_for_report_depends_on_classification(riverside, classification, needed, not_needed):
    event = make_event(agreement=riverside, classification=classification)
    missing = set(missing_for_report(event))
    assert needed <= missing
    assert not (not_needed & missing)


def test_event_transition_ready_with_missing_answers_refused(riverside, physicist):
    event = make_event(agreement=riverside)
    review_save(review=Review(event=event), by=physicist, data={"title": "Only a title"}, expected_version=0)
    with pytest.raises(ValidationError, match="Still missing"):
        event_transition(event=event, by=physicist, to=S.READY_TO_REPORT)
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW


# --- lifecycle -----------------------------------------------------------------------------------------


def test_event_transition_invalid_without_reason_refused(riverside, physicist):
    event = make_event(agreement=riverside)
    with pytest.raises(ValidationError, match="Say why"):
        event_transition(event=event, by=physicist, to=S.INVALID, reason="   ")
    event.refresh_from_db()
    assert event.status == S.NEW


def test_event_transition_invalid_with_reason_is_recorded(riverside, physicist):
    event = make_event(agreement=riverside)
    event = event_transition(event=event, by=physicist, to=S.INVALID, reason="Test entry from training")
    assert event.status == S.INVALID and event.invalid_reason == "Test entry from training"
    assert _audit(event, "event_transition").get().changes["invalid_reason"] == ["", "Test entry from training"]


def test_event_transition_duplicate_of_other_agreement_refused(riverside, lakeside, physicist):
    event = make_event(agreement=riverside)
    foreign = make_event(agreement=lakeside)
    with pytest.raises(ValidationError, match="same practice agreement"):
        event_transition(event=event, by=physicist, to=S.DUPLICATE, duplicate_of=foreign)
    with pytest.raises(ValidationError, match="Choose the event"):
        event_transition(event=event, by=physicist, to=S.DUPLICATE)
    event.refresh_from_db()
    assert event.status == S.NEW and event.duplicate_of is None


def test_event_transition_duplicate_of_same_agreement_accepted(riverside, physicist):
    first = make_event(agreement=riverside)
    second = make_event(agreement=riverside)
    second = event_transition(event=second, by=physicist, to=S.DUPLICATE, duplicate_of=first)
    assert second.status == S.DUPLICATE and second.duplicate_of == first


@pytest.mark.parametrize("forged", [S.RECEIVED, S.REPORTED, S.CLOSED, "deleted", ""])
def test_event_transition_forged_status_refused(riverside, physicist, forged):
    event = make_event(agreement=riverside)
    with pytest.raises(ValidationError):
        event_transition(event=event, by=physicist, to=forged)
    event.refresh_from_db()
    assert event.status == S.NEW
    assert not _audit(event, "event_transition").exists()


def test_event_transition_stale_expected_status_refused(riverside, physicist):
    event = make_event(agreement=riverside)
    event_transition(event=event, by=physicist, to=S.IN_REVIEW)
    with pytest.raises(ValidationError, match="meanwhile"):
        event_transition(event=event, by=physicist, to=S.INVALID, reason="x", expected_status=S.NEW)


def test_event_transition_reopen_reported_bumps_revision_and_needs_new_report(riverside, physicist):
    event = ready_event(agreement=riverside)
    review_finalize(event=event, by=physicist, confirmed=True)
    event = event_transition(event=event, by=physicist, to=S.IN_REVIEW)
    assert event.status == S.IN_REVIEW and event.revision == 2
    review = Review.objects.get(event=event)
    assert review.confirmed_no_identifiers is False and review.confirmed_by is None
    event = event_transition(event=event, by=physicist, to=S.READY_TO_REPORT)
    review_finalize(event=event, by=physicist, confirmed=True)
    assert list(Submission.objects.order_by("revision").values_list("revision", flat=True)) == [1, 2]


def test_event_transition_reopen_from_invalid_keeps_revision_and_clears_reason(riverside, physicist):
    event = event_transition(event=make_event(agreement=riverside), by=physicist, to=S.INVALID, reason="Oops")
    event = event_transition(event=event, by=physicist, to=S.IN_REVIEW)
    assert event.revision == 1 and event.invalid_reason == ""


def test_event_transition_updates_last_activity(riverside, physicist):
    event = make_event(agreement=riverside)
    before = event.last_activity_at
    event = event_transition(event=event, by=physicist, to=S.IN_REVIEW)
    event.refresh_from_db()
    assert event.last_activity_at > before


# --- reporting to the PSO -----------------------------------------------------------------------------


def test_review_finalize_wrong_state_refused(riverside, physicist):
    event = make_event(agreement=riverside)
    review_event(event)
    with pytest.raises(ValidationError, match="ready to report"):
        review_finalize(event=event, by=physicist, confirmed=True)
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW and not Submission.objects.exists()


def test_review_finalize_without_confirmation_refused(riverside, physicist):
    event = ready_event(agreement=riverside)
    with pytest.raises(ValidationError, match="no patient identifier"):
        review_finalize(event=event, by=physicist, confirmed=False)
    event.refresh_from_db()
    assert event.status == S.READY_TO_REPORT and not Submission.objects.exists()


def test_review_finalize_by_reporter_refused(riverside, users):
    event = ready_event(agreement=riverside)
    with pytest.raises(PermissionDenied):
        review_finalize(event=event, by=users["reporter.riverside"], confirmed=True)


def test_review_finalize_writes_deidentified_record_in_outbox(riverside, physicist):
    narrative = "Dr. Patel noticed the shift for MRN 12345678 on 3/14/2026. Caught at imaging."
    event = ready_event(agreement=riverside, narrative=narrative)
    event = review_finalize(event=event, by=physicist, confirmed=True)
    assert event.status == S.REPORTED
    review = Review.objects.get(event=event)
    assert review.confirmed_no_identifiers and review.confirmed_by == physicist and review.confirmed_at
    submission = Submission.objects.get()
    record = submission.record
    assert submission.agreement_id == riverside.pk and record["pso_id"] == riverside.pso_id
    assert record["revision"] == 1 and record["classification"] == "near_miss"
    assert "Patel" not in record["narrative"] and "12345678" not in record["narrative"]
    assert "[NAME]" in record["narrative"] and "[MRN]" in record["narrative"]
    assert "pm.communication.documentation" in record["contributing_factors"]
    assert review.pso_event_key == record["event_key"]
    assert _audit(event, "event_reported").get().actor == physicist


def test_pso_record_for_uses_keys_quarter_and_coded_fields(riverside, physicist):
    event = ready_event(agreement=riverside, event_date=dt.date(2026, 8, 14))
    action_item_add(event=event, by=physicist, action_type="hw.forcing_function", description="Lock the plan.",
                    owner=physicist, due_date=timezone.localdate() + dt.timedelta(days=5))
    record = pso_record_for(event)
    assert record["quarter"] == "2026Q3"
    assert record["corrective_actions"] == ["hw.forcing_function"]
    assert len(record["event_key"]) == 32 and str(event.pk) != record["event_key"]
    assert record["revision"] == event.revision


def test_event_mark_received_only_for_reported_revision(riverside, physicist):
    event = ready_event(agreement=riverside)
    review_finalize(event=event, by=physicist, confirmed=True)
    key = Review.objects.get(event=event).pso_event_key
    assert event_mark_received(event_key=key, revision=2, pso_id=riverside.pso_id) is False
    assert event_mark_received(event_key=key, revision=1, pso_id=riverside.pso_id) is True
    event.refresh_from_db()
    assert event.status == S.RECEIVED
    assert event_mark_received(event_key=key, revision=1, pso_id=riverside.pso_id) is False


# --- action items --------------------------------------------------------------------------------------


def test_action_item_add_numbers_and_audits(riverside, physicist, director):
    event = make_event(agreement=riverside)
    due = timezone.localdate() + dt.timedelta(days=30)
    first = action_item_add(event=event, by=physicist, action_type="proc.checklists", description="Checklist",
                            owner=director, due_date=due)
    second = action_item_add(event=event, by=physicist, action_type="edu.training", description="Huddle",
                             owner=physicist, due_date=due)
    assert (first.number, second.number) == (1, 2)
    assert first.tier_code == "moderate" and second.tier_code == "low"
    assert _audit(event, "action_item_added").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"owner": None}, "owner"), ({"due_date": dt.date(2020, 1, 1)}, "due_date"), ({"description": " "}, "description"),
     ({"action_type": "made.up"}, "action_type")],
)
def test_action_item_add_bad_input_refused(riverside, physicist, overrides, field):
    event = make_event(agreement=riverside)
    data = {"action_type": "proc.checklists", "description": "Checklist", "owner": physicist,
            "due_date": timezone.localdate() + dt.timedelta(days=3), **overrides}
    with pytest.raises(ValidationError) as error:
        action_item_add(event=event, by=physicist, **data)
    assert field in error.value.message_dict
    assert not ActionItem.objects.exists()


def test_action_item_add_owner_of_other_agreement_refused(riverside, physicist, users):
    event = make_event(agreement=riverside)
    with pytest.raises(ValidationError, match="named user of this practice agreement"):
        action_item_add(event=event, by=physicist, action_type="proc.checklists", description="x",
                        owner=users["physicist.lakeside"], due_date=timezone.localdate())


def test_action_item_update_done_records_who_and_when(riverside, physicist):
    event = make_event(agreement=riverside)
    item = action_item_add(event=event, by=physicist, action_type="proc.checklists", description="x",
                           owner=physicist, due_date=timezone.localdate() + dt.timedelta(days=3))
    item = action_item_update(item=item, by=physicist, data={"status": rc.ActionStatus.DONE,
                                                             "completion_note": "Checklist live"})
    assert item.completed_by == physicist and item.completed_at is not None
    changes = _audit(event, "action_item_updated").get().changes
    assert changes["action 1: status"] == ["open", "done"]


def test_action_item_update_keeps_past_due_date_unless_changed(riverside, physicist):
    event = make_event(agreement=riverside)
    item = action_item_add(event=event, by=physicist, action_type="proc.checklists", description="x",
                           owner=physicist, due_date=timezone.localdate())
    ActionItem.objects.filter(pk=item.pk).update(due_date=timezone.localdate() - dt.timedelta(days=10))
    item.refresh_from_db()
    action_item_update(item=item, by=physicist, data={"status": rc.ActionStatus.IN_PROGRESS})
    with pytest.raises(ValidationError, match="past"):
        action_item_update(item=item, by=physicist, data={"due_date": timezone.localdate() - dt.timedelta(days=1)})
