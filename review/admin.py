"""Admin for superusers only: reviews, action items and reminders, read through the regular admin."""

from django.contrib import admin

from events.admin import AccessLoggedEventAdmin

from .models import ActionItem, Reminder, Review


class SuperuserOnly(admin.ModelAdmin):
    """Practice data is patient safety work product: only superusers see it in the admin."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Review)
class ReviewAdmin(AccessLoggedEventAdmin, SuperuserOnly):
    event_field = "event"

    list_display = ("event", "title", "harm", "medical_severity", "lock_version", "updated_at")
    list_select_related = ("event",)
    search_fields = ("event__reference", "title")
    raw_id_fields = ("event", "confirmed_by", "updated_by")
    readonly_fields = ("lock_version",)


@admin.register(ActionItem)
class ActionItemAdmin(AccessLoggedEventAdmin, SuperuserOnly):
    event_field = "event"

    list_display = ("event", "number", "action_type", "owner", "due_date", "status")
    list_filter = ("status",)
    list_select_related = ("event", "owner")
    raw_id_fields = ("event", "owner", "assigned_by", "completed_by")


@admin.register(Reminder)
class ReminderAdmin(AccessLoggedEventAdmin, SuperuserOnly):
    event_field = "event"

    list_display = ("event", "sent_at", "recipients")
    list_select_related = ("event",)
    raw_id_fields = ("event",)
