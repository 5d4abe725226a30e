from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"

    def ready(self):
        # The PSO's receipt comes back as a signal: reporting may not import review (STYLE.md layers).
        from reporting.signals import record_delivered

        from .receivers import on_record_delivered

        record_delivered.connect(on_record_delivered, dispatch_uid="review.record_delivered")
