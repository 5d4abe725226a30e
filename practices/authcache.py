"""Sign-in facts from the shared cache instead of three queries on every page.

Every signed-in request needs the user row, the verified TOTP device and the user's tenants (`Access`).
They change rarely (a role is granted, an agreement changes state, a device is reset), so they are kept
in the shared cache and dropped by every write that could change them: model signals for saves and
deletes, and `access_changed()` / `forget_user()` where a service writes with `QuerySet.update()`.

Tenants are guarded by one generation number: any change to a membership or an agreement replaces it,
which invalidates everyone's cached access at once. Such writes are rare (enrolment work), so no code
path needs to know whose access it changed. Entries also expire after ENTRY_SECONDS, which bounds how
long a write missed while the cache was unreachable can be served.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

ENTRY_SECONDS = 120
GENERATION_KEY = "roils:access:generation"


def _user_key(user_id) -> str:
    return f"roils:auth:user:{user_id}"


def _device_key(persistent_id: str) -> str:
    return f"roils:auth:device:{persistent_id}"


def _tenant_key(name: str, user_id) -> str:
    return f"roils:access:{name}:{user_id}"


# --- One round trip per request ------------------------------------------------------------------

# Entries read ahead for the current request by PrefetchMiddleware: key -> value, None for a miss.
_prefetched: ContextVar[dict | None] = ContextVar("roils_authcache_prefetched", default=None)

# Tenant facts worth reading ahead: the access every page needs, and the facilities the Submit Event
# form and its post both need (the most frequent request by far).
PREFETCHED_TENANT_FACTS = ("access", "submit-coverages")
# Facts of the user alone (not of their tenants), kept by the code that writes them: see user_fact.
PREFETCHED_USER_FACTS = ("last-reporter-role",)
USER_FACT_SECONDS = 12 * 60 * 60


def _user_fact_key(name: str, user_id) -> str:
    return f"roils:user:{name}:{user_id}"


def _get_many(keys: list[str]) -> dict:
    """Like cache.get_many, answered from the request's read-ahead where it covers every key."""
    memo = _prefetched.get()
    if memo is not None and all(key in memo for key in keys):
        return {key: memo[key] for key in keys if memo[key] is not None}
    return cache.get_many(keys)


def _remember(key: str, value) -> None:
    """Keep a value just computed and cached in the read-ahead too, so the same request reuses it."""
    memo = _prefetched.get()
    if memo is not None and key in memo:
        memo[key] = value


def _forget_prefetched() -> None:
    """A write in this request: what was read ahead may be stale, so later reads go to the cache."""
    memo = _prefetched.get()
    if memo is not None:
        memo.clear()


def prefetched(key: str):
    """The value read ahead for this request under `key` (None when it was not read ahead, or missed)."""
    memo = _prefetched.get()
    return memo.get(key) if memo is not None else None


HINT_COOKIE = "roils_signed_in"
HINT_SALT = "roils.practices.authcache.hint"


class PrefetchMiddleware:
    """Read the session and the signed-in user's row, verified device and tenants in one cache round trip.

    Without it, the session store, the authentication backend, django-otp's middleware and user_access each
    make their own trip to Redis, one after another, on every page. Which user's facts to read is known
    before the session is: a signed cookie names the user and device of the last response. It is only a
    hint: the facts read ahead are used only when the session names the same user and device (otherwise
    they are read again, as they would be without it), so a stale or foreign cookie changes nothing but
    speed. Placed right after SessionMiddleware; the read-ahead lives only for this request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import SESSION_KEY
        from django.contrib.sessions.backends.cached_db import KEY_PREFIX

        hint = request.get_signed_cookie(HINT_COOKIE, default="", salt=HINT_SALT, max_age=settings.SESSION_COOKIE_AGE)
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        keys = [KEY_PREFIX + session_key] if session_key else []
        hinted_user, _, hinted_device = hint.partition("|")
        if keys and hinted_user:
            keys += _user_keys(hinted_user, hinted_device)
        token = _prefetched.set(_read(keys)) if keys else None
        try:
            user_id = request.session.get(SESSION_KEY)  # from the read-ahead when there was one
            device_id = _device_id(request)
            if user_id is not None and (str(user_id), device_id) != (hinted_user, hinted_device):
                # No hint, or not this session's: read the user's facts now (a second trip, as before).
                memo = _prefetched.get()
                fresh = _read(_user_keys(str(user_id), device_id))
                if memo is None:
                    token = _prefetched.set(fresh)
                else:
                    memo.update(fresh)
            response = self.get_response(request)
        finally:
            if token is not None:
                _prefetched.reset(token)
        self._keep_hint(request, response, hint)
        return response

    @staticmethod
    def _keep_hint(request, response, hint: str) -> None:
        from django.conf import settings

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(request, "session", None) is not None:
            wanted = f"{user.pk}|{_device_id(request)}"
            if wanted != hint:
                response.set_signed_cookie(HINT_COOKIE, wanted, salt=HINT_SALT, max_age=settings.SESSION_COOKIE_AGE,
                                           httponly=True, secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        elif hint or HINT_COOKIE in request.COOKIES:
            response.delete_cookie(HINT_COOKIE, samesite="Lax")


def _device_id(request) -> str:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.middleware import OTPMiddleware

    device_id = request.session.get(DEVICE_ID_SESSION_KEY)
    return OTPMiddleware._normalize_persistent_id(device_id) if device_id else ""


def _user_keys(user_id: str, device_id: str) -> list[str]:
    keys = [_user_key(user_id), GENERATION_KEY, *(_tenant_key(name, user_id) for name in PREFETCHED_TENANT_FACTS),
            *(_user_fact_key(name, user_id) for name in PREFETCHED_USER_FACTS)]
    return keys + [_device_key(device_id)] if device_id else keys


def _read(keys: list[str]) -> dict:
    found = cache.get_many(keys)
    return {key: found.get(key) for key in keys}


def _drop(*keys: str) -> None:
    """Delete now and again after the surrounding transaction commits.

    The second delete closes the window in which another request reads the old row (the write is not
    committed yet) and puts it back in the cache.
    """
    _forget_prefetched()
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


# --- The user row and the verified device -----------------------------------------------------------

def _read_through(key: str, load, arg):
    """The cached value under `key`, else `load(arg)`, kept for the next request when there is one."""
    value = _get_many([key]).get(key)
    if value is None:
        value = load(arg)
        if value is not None:
            cache.set(key, value, ENTRY_SECONDS)
            _remember(key, value)
    return value


def cached_user(user_id, load):
    """The user row from the cache, else from `load(user_id)`."""
    return _read_through(_user_key(user_id), load, user_id)


def cached_device(persistent_id: str, load):
    """The TOTP device named by a session, from the cache, else from `load(persistent_id)`."""
    return _read_through(_device_key(persistent_id), load, persistent_id)


def forget_user(user_id) -> None:
    _drop(_user_key(user_id), _tenant_key("access", user_id))


# --- Facts of one user ------------------------------------------------------------------------------

def user_fact(user_id, name: str, compute):
    """A fact about one user that only their own actions change, from the cache (read ahead), else computed.

    The code that changes the fact stores the new value with user_fact_set; entries expire after
    USER_FACT_SECONDS, so a change made without it is served at most that long.
    """
    key = _user_fact_key(name, user_id)
    entry = _get_many([key]).get(key)
    if entry is not None:
        return entry[0]  # wrapped, so that a falsy value is still a hit
    value = compute()
    cache.set(key, (value,), USER_FACT_SECONDS)
    _remember(key, (value,))
    return value


def user_fact_set(user_id, name: str, value) -> None:
    """A user's fact changed: the old value goes now, the new one is stored once the transaction commits.

    Until then a read computes it afresh, and a value that is rolled back is never stored.
    """
    key = _user_fact_key(name, user_id)
    if prefetched(key) == (value,):  # kept already, as read ahead for this request (a role given again)
        return
    if transaction.get_connection().in_atomic_block:  # else the write is committed and the set below runs now
        _forget_prefetched()
        cache.delete(key)
    transaction.on_commit(lambda: cache.set(key, (value,), USER_FACT_SECONDS), robust=True)


# --- The tenants -------------------------------------------------------------------------------------

def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # first use, or the cache was emptied: entries of any older generation are void
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


def tenant_cached(user_id, name: str, compute):
    """A per-user fact that depends only on tenancy rows, from the cache while their generation holds.

    `compute()` returns (value, seconds to keep it). The generation is read before computing, so a change
    committed meanwhile leaves the entry under the old generation, where the next read ignores it.
    """
    key = _tenant_key(name, user_id)
    found = _get_many([GENERATION_KEY, key])
    generation, entry = found.get(GENERATION_KEY), found.get(key)
    if entry is not None and generation is not None and entry[0] == generation:
        return entry[1]
    if generation is None:
        generation = _generation()
        _remember(GENERATION_KEY, generation)
    value, seconds = compute()
    if generation is not None and seconds > 0:
        cache.set(key, (generation, value), min(seconds, ENTRY_SECONDS))
        _remember(key, (generation, value))
    return value


def access_changed() -> None:
    """Memberships, agreements or coverages changed: every cached tenant fact is void."""
    def bump():
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)

    _forget_prefetched()
    bump()
    transaction.on_commit(bump, robust=True)


# --- Invalidation by signals ---------------------------------------------------------------------

# Rows that decide what a user may reach or is offered (tenants, facilities to report for, their names).
ACCESS_MODELS = {"practices.membership", "practices.psomembership", "practices.agreement", "practices.coverage",
                 "practices.facility", "practices.pso"}


def _invalidate(sender, instance, **kwargs):
    label = sender._meta.label_lower
    if label == "practices.user":
        forget_user(instance.pk)
    elif label in ACCESS_MODELS:
        access_changed()
    else:  # a django-otp device
        _drop(_device_key(instance.persistent_id))


def connect_signals() -> None:
    """Connect `_invalidate` to the models above, one by one (from PracticesConfig.ready).

    Not to every model: a `post_delete` receiver without a sender turns off Django's fast delete for all
    models, so every `QuerySet.delete()` would first select the rows it deletes.
    """
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django_otp.models import Device

    senders = [get_user_model(), *(apps.get_model(label) for label in ACCESS_MODELS)]
    senders += [model for model in apps.get_models() if issubclass(model, Device)]
    for model in senders:
        uid = f"roils-authcache-{model._meta.label_lower}"
        post_save.connect(_invalidate, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=uid + "-delete")
