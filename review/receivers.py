"""Signal receivers of the review app: kept to one line each; the logic lives in services."""

from .services import events_mark_received


def on_records_delivered(sender, *, deliveries: list[tuple[str, int, int]], **kwargs) -> None:
    """The PSO store holds these revisions: mark the events received."""
    events_mark_received(deliveries=deliveries)
