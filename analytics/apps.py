from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Local learning: the practice's own analytics over every event, and its safety meeting."""

    name = "analytics"
