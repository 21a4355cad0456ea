from django.urls import path

from resettle.partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("", views.agreement_list_view, name="agreement_list"),
    path("new/", views.agreement_create_view, name="agreement_create"),
    path("<uuid:pk>/", views.agreement_detail_view, name="agreement_detail"),
    path("<uuid:pk>/edit/", views.agreement_edit_view, name="agreement_edit"),
    path("<uuid:pk>/end/", views.agreement_end_view, name="agreement_end"),
]
