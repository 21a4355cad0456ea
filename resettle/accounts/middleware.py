from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import DateField, Q, QuerySet
from django.http import HttpRequest, HttpResponse

from resettle.access.core import Access
from resettle.accounts.models import Membership, User
from resettle.core.http import ResettleRequest
from resettle.core.prepared import Param, Prepared

SESSION_KEY = "acting_membership_id"


def _current_on(today: Any) -> Q:
    return Q(ended_on__isnull=True) | Q(ended_on__gt=today)


def current_memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(_current_on(date.today()), user=user).select_related(
        "organisation"
    )


# The same, oldest first, for every signed-in request: prepared once (resettle/core/prepared.py).
CURRENT_MEMBERSHIPS = Prepared(
    lambda: (
        Membership.objects.filter(
            _current_on(Param("today", DateField())),
            user=Param("user", User._meta.pk),
        )
        .select_related("organisation")
        .order_by("created_at")
    )
)


def memberships_of(user: User) -> list[Membership]:
    """The user's current memberships, oldest first, each with its organisation."""
    return CURRENT_MEMBERSHIPS(user=user.pk, today=date.today())


class ActingOrganisationMiddleware:
    """Puts the membership the user is acting in on `request.actor` (None when signed out), and
    what it may see on `request.access`: made anew for every request, never kept between them.

    A user in several organisations chooses one; until they do, their first membership is used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: ResettleRequest) -> HttpResponse:
        request.actor = None
        request.membership_count = 0
        if request.user.is_authenticated:
            # All of a user's current memberships are a few rows: read once, they give the
            # acting one and the count the header's organisation switcher needs.
            memberships = memberships_of(request.user)
            chosen = str(request.session.get(SESSION_KEY) or "")
            actor = next((m for m in memberships if str(m.pk) == chosen), None)
            request.actor = actor or (memberships[0] if memberships else None)
            request.membership_count = len(memberships)
            if request.actor is not None:
                # The signed-in user is the membership's user: audit and rules need not read it.
                request.actor.user = request.user
        request.access = Access.for_request(request.actor)
        return self.get_response(request)
