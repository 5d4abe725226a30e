"""The browser's receipt of its recent submissions, kept in a signed cookie instead of the session.

An anonymous event has no owner, so the confirmation page needs another link between the reporter and
the reference number; and only the first visit of that page should clear the browser's saved draft.
Both used to live in the session, which cost two session writes (database and cache) per report. A
signed, HttpOnly cookie carries the same facts at no server cost. It is bound to the session it was
issued in (a hash of the session key), so it dies with a sign-out, cannot be replayed from another
browser, and expires after RECEIPT_SECONDS.

The receipt of the report just posted also carries what its confirmation shows (reference, facility, PSO,
time, anonymity; never the narrative or anything about the patient), so the page that follows every report
needs no database read: these facts do not change after submission, and the cookie is signed by the server.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core import signing

COOKIE = "roils_receipt"
SALT = "roils.events.receipt"
RECEIPT_SECONDS = 2 * 60 * 60
KEEP = 20  # the most recent submissions whose confirmation stays reachable
FACTS = {"reference": str, "facility": str, "pso": str, "created_at": str, "anonymous": bool}


def facts(*, event, facility: str, pso: str) -> dict:
    """What the confirmation of `event` shows, for the receipt."""
    return {"reference": event.reference, "facility": facility, "pso": pso,
            "created_at": event.created_at.isoformat(), "anonymous": event.is_anonymous}


def _session_tag(request) -> str:
    key = request.session.session_key or ""
    return hashlib.sha256(key.encode()).hexdigest()[:24] if key else ""


def read(request) -> dict:
    """{"ids": [...], "clear": pk or None, "facts": dict or None} of this browser and session, or empty."""
    empty = {"ids": [], "clear": None, "facts": None}
    try:
        raw = request.get_signed_cookie(COOKIE, salt=SALT, max_age=RECEIPT_SECONDS)
        data = json.loads(raw)
    except (KeyError, signing.BadSignature, ValueError):
        return empty
    if not isinstance(data, dict) or not data.get("s") or data.get("s") != _session_tag(request):
        return empty
    ids = [i for i in data.get("ids", []) if isinstance(i, int)][-KEEP:]
    clear = data.get("clear") if isinstance(data.get("clear"), int) else None
    shown = data.get("facts")
    if not (clear is not None and isinstance(shown, dict) and shown.keys() == FACTS.keys()
            and all(isinstance(shown[k], kind) for k, kind in FACTS.items())):
        shown = None
    return {"ids": ids, "clear": clear, "facts": shown}


def write(response, request, *, ids: list[int], clear: int | None, shown: dict | None = None) -> None:
    """Set the receipt; `shown` is what the confirmation of `clear` shows (see facts), if known."""
    data = {"s": _session_tag(request), "ids": ids[-KEEP:], "clear": clear}
    if clear is not None and shown is not None:
        data["facts"] = shown
    value = json.dumps(data, separators=(",", ":"))
    response.set_signed_cookie(
        COOKIE, value, salt=SALT, max_age=RECEIPT_SECONDS, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE, path="/events/",
    )
