from django.apps import AppConfig


class CeilingConfig(AppConfig):
    """Bench-only app, installed by bench/load/settings_ceiling.py and never by roils.settings."""

    name = "ceiling"
    default_auto_field = "django.db.models.BigAutoField"
