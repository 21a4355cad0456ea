from django.contrib import admin
from django.http import HttpRequest

from resettle.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: nothing in Resettle edits the trail."""

    list_display = (
        "id",
        "chain",
        "seq",
        "at",
        "username",
        "organisation_name",
        "action",
        "object_type",
        "category",
    )
    list_filter = ("action",)
    search_fields = ("username", "object_id", "person_id")
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
