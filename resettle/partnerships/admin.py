"""Partnerships in the Django admin, and sharing agreements read-only: every change to an agreement
must go through the services, so that it is validated against the hard limits and recorded in the
audit trail."""

from django.contrib import admin
from django.http import HttpRequest

from resettle.partnerships.models import Partnership, SharingAgreement


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["organisations"]


@admin.register(SharingAgreement)
class SharingAgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "owner", "lawful_basis", "starts_on", "ends_on"]
    list_filter = ["partnership", "lawful_basis"]
    search_fields = ["title", "document_reference"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
