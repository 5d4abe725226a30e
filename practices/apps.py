from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = "Practices and agreements"

    def ready(self):
        from . import sessions  # noqa: F401  (connects the sign-in activity receiver)
