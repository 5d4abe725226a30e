"""Authentication backend: Django's ModelBackend with the per-request user row served from the cache."""

from django.contrib.auth.backends import ModelBackend

from .authcache import cached_user


class CachedModelBackend(ModelBackend):
    """ModelBackend whose per-request `get_user` is read from the cache (see practices.authcache).

    Django checks the session's auth hash against the returned user on every request, so a changed
    password or a sign-out-everywhere (both written to the user, both dropping the cached row) still
    ends the other sessions at once.
    """

    def get_user(self, user_id):
        user = cached_user(user_id, super().get_user)
        return user if self.user_can_authenticate(user) else None
