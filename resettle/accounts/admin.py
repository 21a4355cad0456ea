"""Django admin for superusers: fixing accounts and organisations by hand, not daily work."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from resettle.accounts.models import Membership, Organisation, User
from resettle.accounts.services import organisation_changed


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = [
        "organisation",
        "role",
        "is_safeguarding_lead",
        "is_data_protection_lead",
        "ended_on",
    ]
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "email", "phone"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change) -> None:
        # The operators' way to set an organisation's kind: audited, and partners are told.
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            changes = {
                name: [str(form.initial.get(name, "")), str(form.cleaned_data[name])]
                for name in form.changed_data
            }
            organisation_changed(actor=None, user=request.user, organisation=obj, changes=changes)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "organisation",
        "role",
        "is_safeguarding_lead",
        "is_data_protection_lead",
        "ended_on",
    ]
    list_filter = ["role", "is_safeguarding_lead", "is_data_protection_lead", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


def _superusers_only(request) -> bool:
    # Staff status alone is not enough: the admin bypasses the access policy, so only
    # superusers (the people running the installation) may use it.
    return request.user.is_active and request.user.is_superuser


# The default site's check, replaced on the instance (mypy forbids assigning to a method).
admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.site_header = "Resettle administration"
admin.site.site_title = "Resettle administration"
