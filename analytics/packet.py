"""The safety meeting's printed pages: what each event's page shows, worked out from already-fetched rows (no queries).

De-identified by default: the narrative is its scrubbed copy, the lessons and the reviewer's text are scrubbed, and
nothing names the reporter. `identified=True` (asked for explicitly, and access-logged by the view) shows the
narrative as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from events.models import Event
from foundation.scrubber import scrub
from foundation.taxonomy import review as rc

RISK_LABELS = dict(rc.NEAR_MISS_RISK_CHOICES)


@dataclass
class PacketPage:
    """One event's page of the packet."""

    event: Event
    narrative: str
    title: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)
    actions: list[tuple[str, str, str]] = field(default_factory=list)
    lessons: str = ""
    minutes: str = ""


def _labels(nodes, codes) -> list[str]:
    return [rc.label_for(nodes, code) for code in codes or []]


def packet_page(event: Event, *, identified: bool = False, minutes: str = "") -> PacketPage:
    """One event's page; `event` comes with its facility, review, techniques and action items fetched."""
    review = getattr(event, "review", None)
    narrative = event.narrative if identified else (event.narrative_scrubbed or scrub(event.narrative))
    page = PacketPage(event=event, narrative=narrative, minutes=minutes)
    facts = [
        ("Classification", event.get_classification_display()),
        ("Event date (discovered)", event.event_date.isoformat()),
        ("Location", event.facility.name + (f", {event.sub_location}" if event.sub_location else "")),
        ("Techniques", ", ".join(t.get_technique_display() for t in event.techniques.all()) or "—"),
        ("Status", event.get_status_display()),
    ]
    if review is not None:
        page.title = scrub(review.title) if review.title else ""
        facts += [
            ("Date it occurred", review.occurred_date.isoformat() if review.occurred_date else "—"),
            ("Originated in", review.get_workflow_origin_display() or "—"),
            ("Detected in", review.get_workflow_detected_display() or "—"),
            ("Problem type", review.get_problem_type_display() or "—"),
            ("Harm", review.get_harm_display() or "—"),
            ("Medical severity", "—" if review.medical_severity is None else str(review.medical_severity)),
            ("Near-miss risk index", RISK_LABELS.get(review.near_miss_risk, "—")),
        ]
        page.lists = [
            ("Contributing factors", _labels(rc.CONTRIBUTING_FACTORS, review.contributing_factors)),
            ("Barriers that failed", _labels(rc.SAFETY_BARRIERS, review.barriers_failed)),
            ("Barriers that caught it", _labels(rc.SAFETY_BARRIERS, review.barriers_caught)),
        ]
        page.lessons = scrub(review.lessons_learned) if review.lessons_learned else ""
    page.facts = facts
    page.actions = [(item.type_label, item.get_status_display(), item.due_date.isoformat())
                    for item in event.action_items.all()]  # fmt: skip
    return page
