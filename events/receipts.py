"""The session's receipt of its recent submissions: which confirmations it may open, and what the next one shows.

An anonymous event has no owner, so the confirmation page needs another link between the reporter and the
reference number: the ids of the events submitted in this session. Only the page right after a report clears
the browser's saved draft, so the receipt names that event until its confirmation is shown once. It also carries
what that confirmation shows (reference, facility, PSO, time, anonymity; never the narrative or anything about
the patient), so the page that follows every report reads no event. Kept in the session (the database), it
never leaves the server and ends with a sign-out.
"""

from __future__ import annotations

SESSION_KEY = "roils_receipt"
KEEP = 20  # the most recent submissions whose confirmation stays reachable


def facts(*, event, facility: str, pso: str) -> dict:
    """What the confirmation of `event` shows, for the receipt."""
    return {"reference": event.reference, "facility": facility, "pso": pso,
            "created_at": event.created_at.isoformat(), "anonymous": event.is_anonymous}


def read(request) -> dict:
    """{"ids": [...], "clear": pk or None, "facts": dict or None} of this session (empty when it has none)."""
    receipt = request.session.get(SESSION_KEY) or {}
    return {"ids": receipt.get("ids", []), "clear": receipt.get("clear"), "facts": receipt.get("facts")}


def record(request, *, event_id: int, shown: dict | None) -> None:
    """`event_id` was just submitted in this session; `shown` is what its confirmation shows (see facts), if known."""
    ids = read(request)["ids"]
    ids = ids if event_id in ids else [*ids, event_id]
    request.session[SESSION_KEY] = {"ids": ids[-KEEP:], "clear": event_id, "facts": shown}


def shown(request) -> None:
    """The confirmation right after the report was shown: later visits neither clear the draft nor skip the read."""
    request.session[SESSION_KEY] = {**read(request), "clear": None, "facts": None}
