"""The Redis cache backend: an unreachable Redis is a miss for reads and a no-op for writes, never an error."""

import pytest
from django.core.cache.backends.redis import RedisCache

from foundation.cache import ResilientRedisCache

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def down():
    return ResilientRedisCache(DOWN, {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}})


def test_resilient_cache_reads_miss_and_writes_are_skipped_while_redis_is_down(down):
    assert down.get("k", "fallback") == "fallback"
    assert down.get_many(["a", "b"]) == {}
    assert down.get_or_set("k", "computed") == "computed"
    assert down.add("k", 1) is False
    assert down.set("k", 1) is None and down.set_many({"a": 1}) == ["a"]
    assert down.delete("k") is False and down.delete_many(["a"]) is None
    assert down.has_key("k") is False and down.touch("k") is False
    with pytest.raises(ValueError):  # what rate limits expect of a missing counter
        down.incr("k")


def test_resilient_cache_overrides_only_public_methods_of_djangos_redis_cache():
    own = {name for name in vars(ResilientRedisCache) if not name.startswith("__")}
    overridden = {name for name in own if hasattr(RedisCache, name)}
    assert overridden and all(not name.startswith("_") for name in overridden)
