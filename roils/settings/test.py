"""Test settings: real PostgreSQL and Redis (see the Makefile and .ci/run), fast hashing, no real email."""

import os
import tempfile

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop in the test thread

from .base import *  # noqa: E402,F403
from .base import DATABASES, REDIS_URL  # noqa: E402

if os.environ.get("ROILS_TEST_ALLOW_SQLITE") != "1":
    for alias, db in DATABASES.items():
        if "postgresql" not in db["ENGINE"]:
            raise ImproperlyConfigured(
                f"Tests run against PostgreSQL: set DATABASE_URL and PSO_DATABASE_URL (database '{alias}' is "
                f"{db['ENGINE']}). `make test` does this for the local server."
            )
    if not REDIS_URL:
        raise ImproperlyConfigured("Tests run against Redis: set REDIS_URL (`make test` does this).")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True  # tests that need the real worker start one explicitly
CELERY_TASK_EAGER_PROPAGATES = True
for _db in DATABASES.values():
    _db["CONN_MAX_AGE"] = 0
    _db["TEST"] = {"NAME": None}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Attachments written by tests go to a throwaway directory, never into the checkout's var/.
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), f"roils-test-media-{os.getpid()}")
# Live-server browser tests serve static files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Unit tests sign in with force_login; the controls below are switched on by the tests that prove them
# (tests/security/) and by every browser test (tests/browser/fixtures.py), which signs in through the real form.
ROILS_ENFORCE_2FA = False
AXES_ENABLED = False
RATELIMIT_ENABLE = False
# Each test run gets its own cache namespace in the shared Redis (rate-limit counters).
if "default" in CACHES and "redis" in CACHES["default"]["BACKEND"].lower():  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"  # noqa: F405
# Uploaded evidence goes to a directory of this test run, never into the checkout.
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), f"roils-test-media-{os.getpid()}")
