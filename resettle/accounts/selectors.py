"""Reads about organisations and memberships, already limited to what the actor may see."""

from datetime import date

from django.db.models import Count, Q, QuerySet

from resettle.access.policy import organisations_visible_to
from resettle.accounts.models import Membership, Organisation
from resettle.partnerships.models import Partnership

# The orderings the organisation list offers, keyed by the value in the `sort` parameter.
ORGANISATION_ORDERINGS = {"name": ("name",), "-name": ("-name",)}


def organisation_list(
    *, actor: Membership | None, kind: str | None = None, ordering: str = "name"
) -> QuerySet[Organisation]:
    organisations = organisations_visible_to(actor)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by(*ORGANISATION_ORDERINGS.get(ordering, ("name",)))


def organisation_partnerships(
    *, actor: Membership, organisation: Organisation
) -> QuerySet[Partnership]:
    """All of an organisation's partnerships if it is the actor's own; otherwise only those
    it shares with the actor's organisation."""
    partnerships = Partnership.objects.filter(organisations=organisation)
    if organisation.pk != actor.organisation_id:
        shared = Partnership.objects.filter(organisations=actor.organisation_id)
        partnerships = partnerships.filter(pk__in=shared.values("pk"))
    return partnerships.order_by("name")


def current_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation, ended_on__isnull=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )


def organisation_members(*, actor: Membership, organisation: Organisation) -> QuerySet[Membership]:
    """Names of the people in an organisation, shown only to its own members."""
    if organisation.pk != actor.organisation_id:
        return Membership.objects.none()
    return current_members(organisation=organisation)


def organisation_summaries(*, actor: Membership | None, on: date | None = None):
    """Organisations the actor can see, each with its count of current members and of people
    it works with on the day. Counts only, never names: for managers and analysts."""
    on = on or date.today()
    working_now = Q(working_relationships__started_on__lte=on) & (
        Q(working_relationships__ended_on__isnull=True) | Q(working_relationships__ended_on__gte=on)
    )
    return (
        Organisation.objects.filter(pk__in=organisations_visible_to(actor).values("pk"))
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__ended_on__isnull=True), distinct=True
            ),
            people_count=Count("working_relationships__person", filter=working_now, distinct=True),
        )
        .order_by("name")
    )
