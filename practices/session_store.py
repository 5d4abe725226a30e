"""Django's cached_db sessions, reading the session from the request's read-ahead when it is there.

practices.authcache.PrefetchMiddleware reads the session together with the signed-in user's facts in one
cache round trip; this store takes the session from that read instead of asking the cache again.
Everything else (the database copy, saving, expiry, flushing) is Django's.
"""

from django.contrib.sessions.backends import cached_db

from .authcache import prefetched


class SessionStore(cached_db.SessionStore):
    def load(self):
        data = prefetched(self.cache_key)
        return data if data is not None else super().load()
