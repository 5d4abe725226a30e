"""The authentication backend: Django's ModelBackend, reading the signed-in user and their tenants in one query."""

from django.contrib.auth.backends import ModelBackend

from .scoping import user_with_access


class UserAccessBackend(ModelBackend):
    """ModelBackend whose get_user, run by AuthenticationMiddleware on every signed-in request, reads the user's row
    and their memberships together (practices.scoping.user_with_access): one round trip instead of two. Nothing is
    kept between requests; the session's auth hash is still checked by django.contrib.auth.get_user."""

    def get_user(self, user_id):
        user = user_with_access(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
