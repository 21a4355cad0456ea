"""Django admin for superusers: looking, not changing. An assessment is never edited (a new one
supersedes it) and the admin would bypass the rules and the audit trail, so it is read-only."""

from django.contrib import admin
from django.http import HttpRequest

from resettle.suitability.models import SuitabilityAssessment, SuitabilityReviewRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SuitabilityAssessment)
class SuitabilityAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["person", "assessed_on", "review_on", "assessor_organisation", "assessed_by"]
    list_filter = ["assessor_organisation"]
    list_select_related = ["person", "assessor_organisation", "assessed_by"]
    date_hierarchy = "assessed_on"


@admin.register(SuitabilityReviewRequest)
class SuitabilityReviewRequestAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "organisation", "created_at", "done_at"]
    list_select_related = ["assessment__person", "organisation"]
