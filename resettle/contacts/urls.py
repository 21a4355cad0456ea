from django.urls import path

from resettle.contacts import views

app_name = "contacts"
urlpatterns = [
    path("people/<uuid:pk>/contacts/", views.person_contacts_view, name="person_list"),
    path("people/<uuid:pk>/contacts/new/", views.contact_create_view, name="create"),
    path("people/<uuid:pk>/family/support/", views.family_support_view, name="family_support"),
    path("contacts/<uuid:pk>/", views.contact_detail_view, name="detail"),
]
