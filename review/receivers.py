"""Signal receivers of the review app: kept to one line each; the logic lives in services."""

from .services import event_mark_received


def on_record_delivered(sender, *, event_key: str, revision: int, pso_id: int, **kwargs) -> None:
    """The PSO store holds this revision: mark the event received."""
    event_mark_received(event_key=event_key, revision=revision, pso_id=pso_id)
