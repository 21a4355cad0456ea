"""An organisation admin's staff pages and the invitation journey. Included by
`resettle.accounts.urls`, so the names are in the `accounts` namespace."""

from django.urls import path

from resettle.accounts import invitation_views, staff_views

urlpatterns = [
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/invite/", staff_views.staff_invite, name="staff_invite"),
    path("staff/<uuid:pk>/", staff_views.staff_detail, name="staff_detail"),
    path("staff/<uuid:pk>/role/", staff_views.staff_change_role, name="staff_change_role"),
    path("staff/<uuid:pk>/deactivate/", staff_views.staff_deactivate, name="staff_deactivate"),
    path("staff/<uuid:pk>/reactivate/", staff_views.staff_reactivate, name="staff_reactivate"),
    path(
        "staff/<uuid:pk>/reset-two-factor/",
        staff_views.staff_reset_two_factor,
        name="staff_reset_two_factor",
    ),
    path("staff/<uuid:pk>/unlock/", staff_views.staff_unlock, name="staff_unlock"),
    path(
        "staff/invitations/<uuid:pk>/send-again/",
        staff_views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "staff/invitations/<uuid:pk>/revoke/",
        staff_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitation/<str:token>/", invitation_views.invitation_accept, name="invitation_accept"),
    path(
        "invitation/<str:token>/authenticator/",
        invitation_views.invitation_authenticator,
        name="invitation_authenticator",
    ),
]
