from django.urls import path

from resettle.people import merge_views, views

app_name = "people"
urlpatterns = [
    path("", views.person_list_view, name="list"),
    path("new/", views.person_create_view, name="create"),
    path("<uuid:pk>/", views.person_detail_view, name="detail"),
    path("<uuid:pk>/edit/", views.person_edit_view, name="edit"),
    path("<uuid:pk>/names/new/", views.person_add_name_view, name="add_name"),
    path("<uuid:pk>/addresses/new/", views.person_add_address_view, name="add_address"),
    path("<uuid:pk>/family/", views.person_family_view, name="family"),
    path("<uuid:pk>/family/new/", views.relationship_add_view, name="add_relationship"),
    path("households/new/", views.household_create_view, name="household_create"),
    path("households/<uuid:pk>/", views.household_detail_view, name="household_detail"),
    path("households/<uuid:pk>/edit/", views.household_edit_view, name="household_edit"),
    path(
        "households/<uuid:pk>/members/<uuid:member_pk>/leave/",
        views.household_member_leave_view,
        name="household_member_leave",
    ),
    path("merges/", merge_views.merge_list_view, name="merges"),
    path("merges/<uuid:pk>/", merge_views.merge_detail_view, name="merge_detail"),
    path("merges/<uuid:pk>/undo/", merge_views.unmerge_view, name="unmerge"),
    path("merges/pairs/<uuid:pk>/", merge_views.merge_new_view, name="merge_new"),
]
