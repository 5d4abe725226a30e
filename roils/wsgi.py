"""WSGI entry point (gunicorn roils.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roils.settings.base")
application = get_wsgi_application()
