"""The request as Resettle's middleware leaves it, for type checking views and helpers.

Django's `HttpRequest` knows nothing of the attributes our middleware (and django-htmx, and the
API's token authentication) put on it, so a view annotated `request: HttpRequest` cannot read
`request.actor` as far as mypy is concerned. Annotate with these instead; at run time they are
never instantiated (Django makes the request), so they only describe it.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_htmx.middleware import HtmxDetails

    from resettle.access.core import Access
    from resettle.accounts.models import Membership, User
    from resettle.api.auth import ApiClient


class ResettleRequest(HttpRequest):
    """Any request that has passed the middleware in settings.MIDDLEWARE."""

    user: "User | AnonymousUser"
    # ActingOrganisationMiddleware: the membership acted in, None when signed out or a member of
    # no organisation; and what it may see.
    actor: "Membership | None"
    access: "Access"
    # How many organisations the user is a current member of (the header's switcher).
    membership_count: int
    # django_htmx.middleware.HtmxMiddleware
    htmx: "HtmxDetails"


class AuthenticatedRequest(ResettleRequest):
    """A request to a page behind LoginRequiredMiddleware (every page not marked
    @login_not_required): the user is signed in."""

    user: "User"


class ApiRequest(ResettleRequest):
    """A request to an authenticated API operation: TokenAuth has set `auth` and the user."""

    user: "User"
    auth: "ApiClient"
