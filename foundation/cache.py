"""A Redis cache that degrades to a cache miss when Redis is down, and reuses its client.

Sessions (cached_db), sign-in facts (practices.authcache) and rate limits sit on the cache. Django's own
RedisCache raises on a lost connection, which would turn a Redis outage into a 500 on every page; the
cache is never the only copy of anything here, so a read that fails is a miss and a write that fails is
skipped (the database stays the truth). Short socket timeouts keep a dead Redis from stalling requests.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)
OUTAGE_ERRORS = (ConnectionError, TimeoutError, OSError)
WARN_EVERY_SECONDS = 30


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one redis.Redis per connection pool.

    Django builds a new redis.Redis for every cache call, and each one fills a table of ~170 response
    callbacks: a third of a millisecond per call, several calls per page. redis.Redis is safe to share
    between threads (each command borrows a connection from the pool).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are skipped while Redis cannot be reached."""

    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

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
