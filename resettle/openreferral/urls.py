from django.urls import path

from resettle.openreferral import views

app_name = "openreferral"
# The ORUK paths have no trailing slash, as the profile's OpenAPI document names them.
urlpatterns = [
    path("openreferral/", views.root, name="root"),
    path("openreferral/services", views.services, name="services"),
    path("openreferral/services/<uuid:pk>", views.service, name="service"),
    path(
        "openreferral/service_at_locations",
        views.service_at_locations,
        name="service_at_locations",
    ),
    path("openreferral/taxonomies", views.taxonomies, name="taxonomies"),
    path("openreferral/taxonomy_terms", views.taxonomy_terms, name="taxonomy_terms"),
    path("openreferral/import/", views.import_start, name="import"),
    path("openreferral/import/<uuid:pk>/", views.import_preview, name="import_preview"),
]
