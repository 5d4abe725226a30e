"""The audit trail and the access log: the one place that writes their rows, for every app."""

from __future__ import annotations

import time

from .models import AccessLog, AuditEntry

VIEW_LOG_SECONDS = 60  # an event viewed again within this time, in the same session, is not logged again
_VIEWED_KEY = "access_log_viewed"


def audit_record(
    *, actor, action: str, obj, agreement=None, pso=None, changes: dict | None = None, note: str = ""
) -> AuditEntry:
    """Append one audit row; callers pass field changes as {field: [old, new]}."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        agreement=agreement,
        pso=pso,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes or {},
        note=note,
    )


def audit_record_many(*, actor, action: str, entries: list[tuple]) -> None:
    """Append one audit row per (obj, agreement, changes, note) in one statement (a batch of system changes)."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    AuditEntry.objects.bulk_create(
        AuditEntry(actor=actor, agreement=agreement, action=action, object_type=obj._meta.label_lower,
                   object_id=str(obj.pk), changes=changes or {}, note=note)
        for obj, agreement, changes, note in entries
    )  # fmt: skip


def client_ip(request) -> str | None:
    """The client address (REMOTE_ADDR, which foundation.proxy takes from X-Forwarded-For behind a proxy)."""
    return request.META.get("REMOTE_ADDR") or None


def access_log_record(*, request, action: str, user=None, username: str = "", agreement_ids=(), obj=None,
                      label: str = "") -> None:
    """One access-log row per agreement concerned, so each agreement's reviewers see their own people."""
    user = user if getattr(user, "is_authenticated", False) else None
    rows = [
        AccessLog(user=user, username=username or (user.get_username() if user else ""), agreement_id=agreement_id,
                  action=action, object_type=obj._meta.label_lower if obj is not None else "",
                  object_id=str(obj.pk) if obj is not None else "", object_label=label[:60],
                  ip_address=client_ip(request))
        for agreement_id in (agreement_ids or [None])
    ]
    AccessLog.objects.bulk_create(rows)


def access_log_view_once(*, request, obj, agreement_id: int, label: str) -> bool:
    """Log a view of `obj` once per session and minute (a save's redirect or a reload is not another view).

    The session remembers when it last logged each object; returns whether a row was written.
    """
    now = time.time()
    key = f"{obj._meta.label_lower}:{obj.pk}"
    seen = {k: t for k, t in request.session.get(_VIEWED_KEY, {}).items() if now - t < VIEW_LOG_SECONDS}
    if key in seen:
        return False
    access_log_record(request=request, action="view", user=request.user, agreement_ids=[agreement_id], obj=obj,
                      label=label)
    seen[key] = now
    request.session[_VIEWED_KEY] = seen
    return True
