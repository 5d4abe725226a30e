"""Writes of the local facts (`LocalFact`): the narrow per-event row the local dashboard groups.

The one place that turns an event and its review into a fact, so the write services, the rebuild command and the
bulk demo history cannot disagree on what a fact holds. The review is passed in (any object with the review's
answers, or None): the events app does not import the review app.
"""

from __future__ import annotations

from collections.abc import Iterable

from foundation.taxonomy.events import REACHED_PATIENT

from .models import Event, LocalFact

# The review's list answers and their kind prefix in LocalFact.codes.
LIST_KINDS = {"detected_roles": "d", "barriers_caught": "c", "barriers_failed": "f"}


def local_fact_for(event: Event, review=None) -> LocalFact:
    """The fact of `event` with `review` (None when it has none), unsaved."""
    codes = []
    if review is not None:
        for name, kind in LIST_KINDS.items():
            codes += [f"{kind}:{code}" for code in (getattr(review, name) or [])]
    return LocalFact(
        event_id=event.pk, agreement_id=event.agreement_id, facility_id=event.facility_id,
        event_date=event.event_date, classification=event.classification, is_anonymous=event.is_anonymous,
        submitted_by_id=event.submitted_by_id, created_at=event.created_at,
        review_started_at=event.review_started_at, review_closed_at=event.review_closed_at,
        workflow_origin=(review.workflow_origin or "") if review is not None else "",
        workflow_detected=(review.workflow_detected or "") if review is not None else "",
        caught_partway=review is not None and event.classification in REACHED_PATIENT
        and review.barriers_caught != [],
        codes=codes,
    )  # fmt: skip


def local_fact_save(event: Event, review=None, *, created: bool = False) -> LocalFact:
    """Write the event's fact (call it inside the transaction that changed the event or its review); one query."""
    fact = local_fact_for(event, review)
    fact.save(force_insert=created)
    return fact


def local_facts_write(pairs: Iterable[tuple[Event, object]], *, batch_size: int = 2000) -> int:
    """Replace the facts of many (event, review or None) pairs in bulk (the rebuild and the bulk demo history)."""
    facts = [local_fact_for(event, review) for event, review in pairs]
    for i in range(0, len(facts), batch_size):
        batch = facts[i : i + batch_size]
        LocalFact.objects.filter(pk__in=[f.event_id for f in batch]).delete()
        LocalFact.objects.bulk_create(batch)
    return len(facts)
