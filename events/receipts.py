"""The browser's receipt of its recent submissions, kept in a signed cookie instead of the session.

An anonymous event has no owner, so the confirmation page needs another link between the reporter and
the reference number; and only the first visit of that page should clear the browser's saved draft.
Both used to live in the session, which cost two session writes (database and cache) per report. A
signed, HttpOnly cookie carries the same facts at no server cost. It is bound to the session it was
issued in (a hash of the session key), so it dies with a sign-out, cannot be replayed from another
browser, and expires after RECEIPT_SECONDS.
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


def _session_tag(request) -> str:
    key = request.session.session_key or ""
    return hashlib.sha256(key.encode()).hexdigest()[:24] if key else ""


def read(request) -> dict:
    """{"ids": [...], "clear": pk or None} of this browser and session; empty when missing or not ours."""
    empty = {"ids": [], "clear": None}
    try:
        raw = request.get_signed_cookie(COOKIE, salt=SALT, max_age=RECEIPT_SECONDS)
        data = json.loads(raw)
    except (KeyError, signing.BadSignature, ValueError):
        return empty
    if not isinstance(data, dict) or not data.get("s") or data.get("s") != _session_tag(request):
        return empty
    ids = [i for i in data.get("ids", []) if isinstance(i, int)][-KEEP:]
    clear = data.get("clear") if isinstance(data.get("clear"), int) else None
    return {"ids": ids, "clear": clear}


def write(response, request, *, ids: list[int], clear: int | None) -> None:
    value = json.dumps({"s": _session_tag(request), "ids": ids[-KEEP:], "clear": clear}, separators=(",", ":"))
    response.set_signed_cookie(
        COOKIE, value, salt=SALT, max_age=RECEIPT_SECONDS, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE, path="/events/",
    )
