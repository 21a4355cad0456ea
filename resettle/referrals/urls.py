from django.urls import path

from resettle.referrals import views

app_name = "referrals"


def _action(name: str, slug: str | None = None):
    return path(
        f"referrals/<uuid:pk>/{slug or name}/", views.action_view, {"action": name}, name=name
    )


urlpatterns = [
    path("referrals/sent/", views.sent_view, name="sent"),
    path("referrals/received/", views.received_view, name="received"),
    path("referrals/<uuid:pk>/", views.detail_view, name="detail"),
    path("referrals/<uuid:pk>/edit/", views.edit_view, name="edit"),
    _action("submit"),
    _action("accept"),
    _action("decline"),
    _action("waiting_list", "waiting-list"),
    _action("start"),
    _action("complete"),
    _action("close"),
    _action("withdraw"),
    path(
        "referrals/services/<uuid:pk>/waiting-list/",
        views.waiting_list_view,
        name="service_waiting_list",
    ),
    *(
        path(
            f"referrals/<uuid:pk>/waiting-list/move-{direction}/",
            views.waiting_list_move_view,
            {"direction": direction},
            name=f"waiting_move_{direction}",
        )
        for direction in ("up", "down")
    ),
    path("people/<uuid:pk>/referrals/", views.person_referrals_view, name="person"),
    path("people/<uuid:pk>/referrals/new/", views.referral_create_view, name="create"),
    path("people/<uuid:pk>/referrals/signpost/", views.signposting_create_view, name="signpost"),
    path(
        "people/<uuid:pk>/referrals/signposting/<uuid:signposting_pk>/follow-up/",
        views.signposting_follow_up_view,
        name="follow_up",
    ),
]
