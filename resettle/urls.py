from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("resettle.web.urls")),
    path("", include("resettle.operations.urls")),
    path("", include("resettle.accounts.urls")),
    path("people/", include("resettle.people.urls")),
    path("people/", include("resettle.suitability.urls")),
    path("people/<uuid:pk>/consent/", include("resettle.consent.urls")),
    path("agreements/", include("resettle.partnerships.urls")),
    path("", include("resettle.audit.urls")),
    path("", include("resettle.access.urls")),
    path("notifications/", include("resettle.notifications.urls")),
    path("", include("resettle.directory.urls")),
    path("", include("resettle.openreferral.urls")),
    path("", include("resettle.referrals.urls")),
    path("", include("resettle.custody.urls")),
    path("", include("resettle.cases.urls")),
    path("", include("resettle.mentoring.urls")),
    path("", include("resettle.contacts.urls")),
    path("", include("resettle.appointments.urls")),
    path("", include("resettle.plans.urls")),
    path("", include("resettle.registers.urls")),
    path("", include("resettle.evaluation.urls")),
    path("", include("resettle.offending.urls")),
    path("", include("resettle.dataprotection.urls")),
    path("", include("resettle.outcomes.urls")),
    path("", include("resettle.reports.urls")),
    path("", include("resettle.linkage.urls")),
    path("", include("resettle.today.urls")),
    path("api/v1/", include("resettle.api.urls")),
    path("django-admin/", admin.site.urls),
]

handler404 = "resettle.web.views.not_found"
handler500 = "resettle.web.views.server_error"
