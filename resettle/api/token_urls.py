"""The API tokens page. Included by `resettle.accounts.urls` without a namespace of its own, so
the names are `accounts:api_tokens`, `accounts:api_token_create` and `accounts:api_token_revoke`."""

from django.urls import path

from resettle.api import views

urlpatterns = [
    path("", views.token_list, name="api_tokens"),
    path("new/", views.token_create, name="api_token_create"),
    path("<uuid:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
