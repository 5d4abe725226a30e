"""Stable pseudonymous keys: what identifies an event, practice or facility once it leaves the practice."""

import hashlib
import hmac

from django.conf import settings


def pseudonym(kind: str, local_id: int | str) -> str:
    """A keyed hash (HMAC-SHA256) of a local id; stable across revisions, meaningless without the key."""
    secret = (getattr(settings, "PSO_KEY_SECRET", "") or settings.SECRET_KEY).encode()
    return hmac.new(secret, f"{kind}:{local_id}".encode(), hashlib.sha256).hexdigest()[:32]
