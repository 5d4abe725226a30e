"""Questions back to the practice: an analyst asks about one store record; the practice's reviewers see it on the
event (found by the event's pseudonymous key) and answer; the analyst reads the answer, scrubbed.

The PSO names only the record; which agreement reported it is read from the outbox row on the practice side, and
the answer passes the identifier scrubber before the PSO sees it, so the PSO never learns who the patient or the
reporter was (nor which reviewer answered).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from foundation.scrubber import scrub
from practices.audit import audit_record
from practices.models import PSO, Agreement
from practices.scoping import user_access

from .models import RecordQuery, StoreRecord, Submission

MAX_QUESTION = 2000
MAX_ANSWER = 4000


@transaction.atomic
def record_query_ask(*, by, record: StoreRecord, question: str) -> RecordQuery:
    """Ask the reporting practice about a record of the analyst's PSO."""
    if record.pso_id not in user_access(by).pso_analyst:
        raise PermissionDenied("Not an analyst of this PSO.")
    question = scrub((question or "").strip())[:MAX_QUESTION]
    if not question:
        raise ValidationError("Write the question first.")
    agreement_id = (
        Submission.objects.filter(pso_id=record.pso_id, event_key=record.event_key)
        .values_list("agreement_id", flat=True)
        .first()
    )
    if agreement_id is None:
        raise ValidationError("This record did not come through the outbox, so it cannot be traced to a practice.")
    query = RecordQuery.objects.create(pso_id=record.pso_id, agreement_id=agreement_id, event_key=record.event_key,
                                       store_record_id=record.pk, question=question, asked_by=by)  # fmt: skip
    audit_record(actor=by, action="record_query_asked", obj=query, pso=PSO(pk=record.pso_id))
    return query


@transaction.atomic
def record_query_answer(*, by, query: RecordQuery, answer: str) -> RecordQuery:
    """A full-access reviewer of the reporting agreement answers (again, if need be); the PSO reads it scrubbed."""
    if query.agreement_id not in user_access(by).manage:
        raise PermissionDenied("Only the practice's full-access reviewers answer.")
    answer = scrub((answer or "").strip())[:MAX_ANSWER]
    if not answer:
        raise ValidationError("Write the answer first.")
    query = RecordQuery.objects.select_for_update().get(pk=query.pk)
    old = query.answer
    query.answer, query.answered_by, query.answered_at = answer, by, timezone.now()
    query.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(actor=by, action="record_query_answered", obj=query, agreement=Agreement(pk=query.agreement_id),
                 changes={"answer": [bool(old), True]})  # fmt: skip
    return query


def queries_for_event(*, user, event_key: str, agreement_id: int) -> list[RecordQuery]:
    """The PSO's questions about one event, for the practice's reviewers (empty for anyone else)."""
    if not event_key:
        return []
    scoped = RecordQuery.objects.for_user(user, action="review")
    return list(scoped.filter(event_key=event_key, agreement_id=agreement_id).order_by("asked_at", "pk"))


def queries_for_record(*, user, record: StoreRecord) -> QuerySet[RecordQuery]:
    """The analysts' questions about a store record and their answers."""
    scoped = RecordQuery.objects.for_user(user, action="analyse")
    return scoped.filter(pso_id=record.pso_id, event_key=record.event_key).order_by("asked_at", "pk")
