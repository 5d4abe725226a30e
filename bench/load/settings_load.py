"""Settings of the load test's app phase: roils.settings.base, with static files collected under var/load.

Static files are stored without the hashed manifest: `collectstatic` with DEBUG=0 stops at vendor/chartjs,
whose `sourceMappingURL` names a .map file the asset step does not copy (reported with the load test). The
load test never fetches static files, and looking a name up in the manifest or not costs the same.
"""

from roils.settings.base import *  # noqa: F403
from roils.settings.base import STORAGES, VAR_DIR

STATIC_ROOT = VAR_DIR / "load" / "staticfiles"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}
