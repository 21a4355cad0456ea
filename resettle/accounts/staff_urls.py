"""An organisation admin's staff pages and the invitation journey. Included by
`resettle.accounts.urls`, so the names are in the `accounts` namespace."""

from django.urls import path

from resettle.accounts import invitation_views, staff_views

urlpatterns = [
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/invite/", staff_views.staff_invite, name="staff_invite"),
    path("staff/<uuid:pk>/", staff_views.staff_detail, name="staff_detail"),
    path("staff/<uuid:pk>/role/", staff_views.staff_change_role, name="staff_change_role"),
    *(
        path(f"staff/<uuid:pk>/{slug}/", staff_views.staff_action, {"action": action}, name=name)
        for slug, action, name in (
            ("deactivate", "deactivate", "staff_deactivate"),
            ("reactivate", "reactivate", "staff_reactivate"),
            ("reset-two-factor", "reset_two_factor", "staff_reset_two_factor"),
            ("unlock", "unlock", "staff_unlock"),
        )
    ),
    *(
        path(
            f"staff/invitations/<uuid:pk>/{slug}/",
            staff_views.invitation_action,
            {"action": action},
            name=name,
        )
        for slug, action, name in (
            ("send-again", "resend", "invitation_resend"),
            ("revoke", "revoke", "invitation_revoke"),
        )
    ),
    path("invitation/<str:token>/", invitation_views.invitation_accept, name="invitation_accept"),
    path(
        "invitation/<str:token>/authenticator/",
        invitation_views.invitation_authenticator,
        name="invitation_authenticator",
    ),
]
