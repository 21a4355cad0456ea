from django.contrib.auth.views import LogoutView
from django.urls import include, path

from resettle.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    # Django's LogoutView accepts only POST, so a link or prefetch cannot sign anyone out.
    path("sign-out/", LogoutView.as_view(), name="logout"),
    path("account/organisation/", views.switch_organisation, name="switch_organisation"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<uuid:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<uuid:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("account/api-tokens/", include("resettle.api.token_urls")),
    path("account/", include("resettle.accounts.mfa_urls")),
    path("", include("resettle.accounts.staff_urls")),
]
