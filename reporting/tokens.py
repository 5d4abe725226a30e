"""The read API's tokens: PSO staff create, list and revoke them (audited); each request finds its token by the hash
of the secret it presents, in the database, and counts the use in one UPDATE."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from practices.audit import audit_record
from practices.models import PSO
from practices.scoping import user_access

from .models import ApiToken

SECRET_PREFIX = "roils_"  # noqa: S105 (not a secret: the prefix that makes secrets recognisable in logs and to secret scanners)
SECRET_BYTES = 32
SCOPES = tuple(ApiToken.Scope.values)


def secret_hash(secret: str) -> str:
    """SHA-256 hex of a secret: 256 random bits need no slow hash, and a lookup by hash stays one index probe."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, by, pso: PSO, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token of the PSO, made by its staff; returns the token and its secret, which is shown once only."""
    if pso.pk not in user_access(by).pso_staff:
        raise PermissionDenied("Only the PSO's staff make its API tokens.")
    name = (name or "").strip()[:80]
    scopes = sorted(set(scopes or ()))
    if not name:
        raise ValidationError("Name the token (who or what will use it).")
    if not scopes or not set(scopes) <= set(SCOPES):
        raise ValidationError("Choose at least one scope.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken.objects.create(pso=pso, name=name, prefix=secret[: len(SECRET_PREFIX) + 6],
                                    secret_hash=secret_hash(secret), scopes=scopes, created_by=by)  # fmt: skip
    audit_record(actor=by, action="api_token_created", obj=token, pso=pso, changes={"scopes": [[], scopes]},
                 note=name)  # fmt: skip
    return token, secret


@transaction.atomic
def api_token_revoke(*, by, token: ApiToken) -> ApiToken:
    """Revoke a token of the staff member's PSO; the very next request with it is refused (idempotent)."""
    if token.pso_id not in user_access(by).pso_staff:
        raise PermissionDenied("Only the PSO's staff revoke its API tokens.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=by, action="api_token_revoked", obj=token, pso=PSO(pk=token.pso_id),
                     changes={"revoked": [False, True]}, note=token.name)  # fmt: skip
    return token


def api_tokens_for(queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
    """The (scoped) tokens for the staff page: active first, newest first, with their creator."""
    return queryset.select_related("created_by", "pso").order_by(F("revoked_at").desc(nulls_first=True), "-created_at")


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The active token whose secret this is, read from the database on every request, and its use counted.

    One UPDATE both finds the token and records the use (`last_used_at`, `use_count`), so a request costs one
    statement here; a revoked or unknown secret matches no row and changes nothing.
    """
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    # UPDATE .. RETURNING: PostgreSQL, and SQLite since 3.35.
    found = ApiToken.objects.raw(
        "UPDATE reporting_apitoken SET last_used_at = %s, use_count = use_count + 1"
        " WHERE secret_hash = %s AND revoked_at IS NULL RETURNING id, pso_id, scopes, name",
        [timezone.now(), secret_hash(secret)],
    )
    return next(iter(found), None)
