"""The one notification the reporting layer sends upward: a record reached its PSO's store.

`reporting` may not import `events` or `review` (STYLE.md layers), yet the practice must learn that
the PSO received an event. So `submission_push` sends `record_delivered` and the review app connects
a receiver (in its AppConfig.ready) that sets the matching event to "received" if it is still
"reported" at that revision. Keep receivers that small: the logic of delivery lives in services.

Sent once per outbox row, with keyword arguments `event_key` (the event's pseudonym), `revision`
and `pso_id`, inside the practice-database transaction that marks the row pushed: a receiver that
raises rolls the mark back and the delivery is retried (the store upsert is idempotent), so the
receipt is never lost. Also sent when the store already held this or a newer revision (a replay or a
late, superseded revision): the receiver's revision check makes that a no-op.
"""

from django.dispatch import Signal

record_delivered = Signal()
