"""Settings of the load test's app phase: roils.settings.base, with static files collected under var/load.

Static files are stored as in production (hashed names and a manifest, whitenoise's compressed copies), so
every `{% static %}` costs what it costs in production. The load test never fetches static files.
"""

from roils.settings.base import *  # noqa: F403
from roils.settings.base import VAR_DIR

STATIC_ROOT = VAR_DIR / "load" / "staticfiles"

# First, so that it counts the whole middleware stack: Django's CPU per page during the window (cpu_by_view.py).
MIDDLEWARE = ["cpu_by_view.CPUByView", *MIDDLEWARE]  # noqa: F405
