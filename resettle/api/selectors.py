"""Reads for the API: tokens, and households with the members the actor may see."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from resettle.access import policy
from resettle.accounts.models import Membership, User
from resettle.api.models import ApiToken
from resettle.people.models import Household, HouseholdMember


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def get_api_token_for_user(user: User, token_id) -> ApiToken:
    """The user's own token, or the same 404 whether it is someone else's or absent."""
    try:
        return api_token_list(user=user).get(pk=token_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such API token") from exc


def household_list(*, actor: Membership | None) -> QuerySet[Household]:
    members = HouseholdMember.objects.order_by("left_on", "joined_on", "person__family_name")
    return (
        policy.households_visible_to(actor)
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("name", "pk")
    )
