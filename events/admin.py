"""Admin for superusers to look events up: events are changed through the review app, never here."""

from django.contrib import admin

from practices.audit import access_log_record

from .models import Event, EventTechnique, ReferenceCounter


class AccessLoggedEventAdmin:
    """A superuser who opens an event, or what belongs to one, is in that agreement's access log like a reviewer.

    `event_field` names the object's event ("" when the object is the event).
    """

    event_field = ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("original")
        if request.method == "GET" and response.status_code == 200 and obj is not None:
            event = getattr(obj, self.event_field) if self.event_field else obj
            access_log_record(request=request, action="view", user=request.user, agreement_ids=[event.agreement_id],
                              obj=event, label=f"{event.reference} (admin)")
        return response


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Visible to superusers only, to look things up; changes go through the services (they audit and check)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventTechniqueInline(admin.TabularInline):
    model = EventTechnique
    extra = 0
    can_delete = False
    readonly_fields = ["technique"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(AccessLoggedEventAdmin, SuperuserOnlyAdmin):
    list_display = ["reference", "agreement", "facility", "classification", "status", "is_anonymous", "created_at"]
    list_filter = ["status", "classification", "is_anonymous"]
    list_select_related = ["agreement__practice", "agreement__pso", "facility"]
    search_fields = ["reference"]
    date_hierarchy = "created_at"
    inlines = [EventTechniqueInline]
    fields = [
        "reference", "agreement", "facility", "sub_location", "classification", "narrative", "event_date",
        "event_time", "workflow_step_noticed", "age_range", "patient_sex", "reporter_role", "reporter_name",
        "submitted_by", "is_anonymous", "status", "revision", "duplicate_of", "invalid_reason", "idempotency_key",
        "created_at", "updated_at", "last_activity_at", "notified_at",
    ]
    readonly_fields = fields


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(SuperuserOnlyAdmin):
    list_display = ["practice", "year", "last"]
    readonly_fields = ["practice", "year", "last"]
