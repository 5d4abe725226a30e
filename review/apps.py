from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"

    def ready(self):
        # The PSO's receipt comes back as a signal: reporting may not import review (STYLE.md layers).
        from reporting.signals import records_delivered

        from .receivers import on_records_delivered

        records_delivered.connect(on_records_delivered, dispatch_uid="review.records_delivered")
