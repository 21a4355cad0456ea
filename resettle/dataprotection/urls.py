from django.urls import path

from resettle.dataprotection import views

app_name = "dataprotection"
urlpatterns = [
    path("data-protection/", views.index_view, name="index"),
    path("data-protection/retention/", views.retention_view, name="retention"),
    path("people/<uuid:pk>/legal-holds/", views.legal_holds_view, name="legal_holds"),
    path(
        "people/<uuid:pk>/legal-holds/<uuid:hold>/lift/",
        views.legal_hold_lift_view,
        name="legal_hold_lift",
    ),
    path("people/<uuid:pk>/subject-access/", views.person_view, name="person"),
    path(
        "people/<uuid:pk>/subject-access/<uuid:job>/",
        views.export_detail_view,
        name="export_detail",
    ),
    path(
        "people/<uuid:pk>/subject-access/<uuid:job>/download/",
        views.export_download_view,
        name="export_download",
    ),
    path("people/<uuid:pk>/corrections/", views.person_corrections_view, name="person_corrections"),
    path("people/<uuid:pk>/corrections/new/", views.person_correct_view, name="person_correct"),
]
