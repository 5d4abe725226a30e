"""Reads of the events app; every queryset a user sees goes through `for_user`."""

from __future__ import annotations

import uuid
from collections import Counter

from django.db.models import Q, QuerySet

from foundation.taxonomy.events import EventStatus
from practices.models import Coverage, User

from .models import Draft, Event, draft_cutoff

# A review is finished once the event was reported to the PSO or closed: then the reporter sees what was shared.
FINISHED = frozenset({EventStatus.REPORTED, EventStatus.RECEIVED, EventStatus.CLOSED})


def coverages_for_submit(*, user: User) -> QuerySet[Coverage]:
    """The facilities (one row per covering agreement) the user may submit events for."""
    return (
        Coverage.objects.for_user(user, action="submit")
        .filter(is_current=True)
        .select_related("facility", "pso")
        # What the form shows and event_submit reads; the rest of three wide rows is not needed on every page.
        .only("agreement", "facility", "pso", "is_current", "facility__name", "pso__name")
        .order_by("facility__name", "pso__name")
    )


def coverage_labels(coverages) -> dict[int, str]:
    """Facility names, with the PSO added where one facility is covered by agreements with two PSOs."""
    rows = list(coverages)
    per_facility = Counter(c.facility_id for c in rows)
    return {
        c.pk: f"{c.facility.name} ({c.pso.name})" if per_facility[c.facility_id] > 1 else c.facility.name
        for c in rows
    }


def events_submitted_by(events: QuerySet[Event], *, user: User) -> QuerySet[Event]:
    """Of the events given, those the user submitted under their own name ("My submissions"), newest first.

    Anonymous ones cannot be found: they have no submitter.
    """
    return (
        events.filter(submitted_by=user)
        .select_related("facility", "agreement__pso")
        .order_by("-created_at", "-id")
    )


def confirmation_events(events: QuerySet[Event], *, user: User, just_submitted: list[int]) -> QuerySet[Event]:
    """Of the events given (scoped for "confirm"), those whose confirmation page the user may open.

    Those they may view anyway, plus those submitted from this very session (an anonymous event has no
    owner, so the session is the only link between the reporter and the reference number).
    """
    assert not Event.objects.scope_repeats_rows()  # one row per event without DISTINCT, as the page's get() needs
    viewable = Event.objects.scope_condition(user, "view")
    return events.filter(viewable | Q(pk__in=just_submitted[-20:])).select_related("facility", "agreement__pso")


def last_reporter_role(*, user: User) -> str:
    """The role the user gave on their latest named report, to spare them choosing it again.

    One row read through the (submitted_by, -created_at) index, however many reports the user has filed.
    """
    if user.is_shared_login:
        return ""
    latest = Event.objects.filter(submitted_by=user).order_by("-created_at").values_list("reporter_role", flat=True)
    return latest.first() or ""


def draft_for(*, user: User) -> Draft | None:
    """The user's server-side draft, if any and not expired (never for a shared login)."""
    if user.is_shared_login:
        return None
    draft = Draft.objects.filter(user=user).first()
    if draft is not None and draft.updated_at < draft_cutoff():
        return None  # expired: the daily job deletes it (checked here rather than in SQL, which every page pays)
    key = draft.data.get("fields", {}).get("idempotency_key") if draft else None
    if key and Event.objects.filter(idempotency_key__in=_as_uuid(key)).exists():
        return None  # an autosave that lost the race with the submit it belonged to
    return draft


def _as_uuid(value) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(str(value))]
    except ValueError:
        return []


def feedback_for(event: Event):
    """What the reviewers shared with the reporter, once the review is finished (else None)."""
    from .models import EventFeedback

    if event.status not in FINISHED:
        return None
    return EventFeedback.objects.filter(event=event).first()
