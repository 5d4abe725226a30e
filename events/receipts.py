"""The session's receipt of its anonymous submissions: which confirmations of events without an owner it may open.

An anonymous event stores no identity, so the confirmation page needs another link between the reporter and the
reference number: the ids of the anonymous events submitted in this session. A named report needs none (its
owner is in the database), so submitting one writes nothing to the session. Kept in the session (the database),
the receipt never leaves the server and ends with a sign-out.
"""

from __future__ import annotations

SESSION_KEY = "roils_receipt"
KEEP = 20  # the most recent anonymous submissions whose confirmation stays reachable


def read(request) -> list[int]:
    """The ids of the anonymous events submitted in this session, oldest first (empty when there are none)."""
    return (request.session.get(SESSION_KEY) or {}).get("ids", [])


def record(request, *, event_id: int) -> None:
    """The anonymous event `event_id` was just submitted in this session."""
    ids = read(request)
    if event_id not in ids:
        request.session[SESSION_KEY] = {"ids": [*ids, event_id][-KEEP:]}
