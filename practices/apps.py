from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = "Practices and agreements"

    def ready(self):
        from . import authcache, sessions  # noqa: F401  (sessions connects the sign-in activity receiver)

        authcache.connect_signals()
