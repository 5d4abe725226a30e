"""Idle timeout without a session write on every request."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

TOUCH_KEY = "_roils_touched"
TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Refresh a signed-in session's expiry at most once a minute.

    SESSION_COOKIE_AGE is the idle timeout; saving the session on every request (Django's
    SESSION_SAVE_EVERY_REQUEST) would cost a database write per page, so the expiry moves forward
    only when the last refresh is older than a minute: the timeout is then exact to within that minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        # Only a session that exists: a request authenticated otherwise (an API token) must not start one.
        if session is not None and session.session_key and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(TOUCH_KEY, 0) >= TOUCH_EVERY_SECONDS:
                session[TOUCH_KEY] = now
        return response


@receiver(user_logged_in, dispatch_uid="roils-session-touch-on-login")
def _touch_on_login(sender, request, user, **kwargs):
    """A fresh sign-in counts as activity, so the first page after it needs no extra session write."""
    if request is not None and hasattr(request, "session"):
        request.session[TOUCH_KEY] = int(time.time())
