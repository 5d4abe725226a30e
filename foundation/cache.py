"""A Redis cache that degrades to a cache miss when Redis is down.

Rate limits sit on the cache. Django's own RedisCache raises on a lost connection, which would turn a Redis
outage into a 500 on every rate-limited page; the cache is never the only copy of anything here, so a read
that fails is a miss and a write that fails is skipped (the database stays the truth). Short socket timeouts
(settings) keep a dead Redis from stalling requests. Only the public methods of Django's cache API are wrapped.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)
OUTAGE_ERRORS = (ConnectionError, TimeoutError, OSError)
WARN_EVERY_SECONDS = 30


class ResilientRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are skipped while Redis cannot be reached."""

    _last_warning = 0.0

    def _outage(self, operation: str, exc: Exception, default=None):
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning > WARN_EVERY_SECONDS:  # one line per outage, not per request
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable (%s: %s); serving from the database", operation, exc)
        return default

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except OUTAGE_ERRORS as exc:
            return self._outage("add", exc, False)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except OUTAGE_ERRORS as exc:
            return self._outage("get", exc, default)

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except OUTAGE_ERRORS as exc:
            self._outage("set", exc)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except OUTAGE_ERRORS as exc:
            return self._outage("touch", exc, False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except OUTAGE_ERRORS as exc:
            return self._outage("delete", exc, False)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except OUTAGE_ERRORS as exc:
            return self._outage("get_many", exc, {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except OUTAGE_ERRORS as exc:
            return self._outage("has_key", exc, False)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except OUTAGE_ERRORS as exc:
            # Callers of incr (rate limits) treat a missing counter as a fresh one.
            raise ValueError(f"cache unavailable: {exc}") from exc

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except OUTAGE_ERRORS as exc:
            return self._outage("set_many", exc, list(data))

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except OUTAGE_ERRORS as exc:
            return self._outage("delete_many", exc)

    def clear(self):
        try:
            return super().clear()
        except OUTAGE_ERRORS as exc:
            return self._outage("clear", exc, False)
