"""Writes of the reporting app: enqueue a de-identified record in the outbox, deliver it to the PSO store."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from .deidentify import deidentify
from .models import StoreRecord, Submission

log = logging.getLogger(__name__)


@transaction.atomic
def submission_enqueue(*, record: dict, agreement_id: int) -> Submission:
    """Write the outbox row for a reported event in the caller's transaction; deliver after commit.

    The record is passed through `deidentify` here, so nothing but the allowlist ever reaches the outbox.
    """
    from .tasks import submission_push_task

    clean = deidentify(record)
    submission, _created = Submission.objects.get_or_create(
        event_key=clean["event_key"],
        revision=clean["revision"],
        defaults={"pso_id": clean["pso_id"], "agreement_id": agreement_id, "record": clean},
    )
    # robust: a broker outage must not undo the report; the beat sweeper delivers it later.
    transaction.on_commit(lambda: submission_push_task.delay(submission.pk), robust=True)
    return submission


def submission_push(submission: Submission) -> bool:
    """Upsert the record into the PSO store (keyed by PSO and event key), then mark the row pushed.

    Idempotent: an older or equal revision never overwrites what the store holds, so replays are no-ops.
    Returns True when the store changed.
    """
    record = submission.record
    fields = {k: v for k, v in record.items() if k not in ("event_key", "pso_id")}
    changed = False
    with transaction.atomic(using="pso"):
        current = (
            StoreRecord.objects.using("pso").select_for_update()
            .filter(pso_id=record["pso_id"], event_key=record["event_key"]).first()
        )
        if current is None:
            StoreRecord.objects.using("pso").create(pso_id=record["pso_id"], event_key=record["event_key"], **fields)
            changed = True
        elif current.revision < record["revision"]:
            for name, value in fields.items():
                setattr(current, name, value)
            current.received_at = timezone.now()
            current.save(using="pso")
            changed = True
    Submission.objects.filter(pk=submission.pk, pushed_at__isnull=True).update(pushed_at=timezone.now())
    return changed
