"""The one notification the reporting layer sends upward: records reached their PSO's store.

`reporting` may not import `events` or `review` (STYLE.md layers), yet the practice must learn that
the PSO received an event. So each delivered batch sends `records_delivered` and the review app connects
a receiver (in its AppConfig.ready) that sets the matching events to "received" if they are still
"reported" at that revision. Keep receivers that small: the logic of delivery lives in services.

Sent once per delivered batch, with the keyword argument `deliveries`: a list of (event_key, revision,
pso_id) triples (the event's pseudonym), one per outbox row marked pushed, inside the practice-database
transaction that marks them: a receiver that raises rolls the marks back and the batch is retried (the
store upsert is idempotent), so no receipt is ever lost. A row is in the list also when the store already
held this or a newer revision (a replay or a late, superseded revision): the receiver's revision check
makes that a no-op.
"""

from django.dispatch import Signal

records_delivered = Signal()
