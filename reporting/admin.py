"""Admin for the outbox: read-only rows (without the record), and a "send again now" action."""

from django.contrib import admin, messages

from .models import Submission
from .services import submission_requeue


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Outbox rows as operators need them; the de-identified record itself is not shown."""

    list_display = ("event_key_prefix", "revision", "pso", "created_at", "pushed_at", "attempts", "last_error")
    list_filter = ("pso", ("pushed_at", admin.EmptyFieldListFilter))
    fields = ("pso", "agreement_id", "event_key", "revision", "created_at", "pushed_at", "attempts", "last_error",
              "next_attempt_at")
    readonly_fields = fields
    list_select_related = ("pso",)
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("record")

    @admin.display(description="event key")
    def event_key_prefix(self, obj):
        return f"{obj.event_key[:10]}…"

    @admin.action(description="Send the selected undelivered submissions again now")
    def send_again(self, request, queryset):
        sent = submission_requeue(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{sent} submission(s) re-queued.", messages.SUCCESS)
