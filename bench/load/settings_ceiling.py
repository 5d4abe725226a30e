"""Settings of the load test's ceiling phase only: production settings plus the bench-only `ceiling` app.

Used by bench/load/run.py with PYTHONPATH=bench/load; nothing in roils imports it, so the ceiling view
never ships in the production URLconf. Static files as in settings_load.py.
"""

from roils.settings.base import *  # noqa: F403
from roils.settings.base import INSTALLED_APPS, VAR_DIR

INSTALLED_APPS = [*INSTALLED_APPS, "ceiling"]
ROOT_URLCONF = "ceiling.urls"
STATIC_ROOT = VAR_DIR / "load" / "staticfiles"

# First, so that it counts the whole middleware stack: Django's CPU per page during the window (cpu_by_view.py).
MIDDLEWARE = ["cpu_by_view.CPUByView", *MIDDLEWARE]  # noqa: F405
