"""Periodic housekeeping of the practices app (thin Celery wrappers)."""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task
def sessions_clear_expired_task() -> None:
    """Delete expired sessions (beat, daily): sessions live in the database, and signing out is not the only end."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
