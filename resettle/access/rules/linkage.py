"""Record linkage: who runs it, who reviews the pairs it is unsure of, and what of each record a
reviewer sees; and the partnership's cases in common.

A run is started by an organisation admin or a data-protection lead of a member organisation,
for the partnership; it reads everyone's identity as the system principal (its start is
audited) and shows no one anything itself. Reviewers see a pair only when their organisation
works with one of its records, and of each record only what the agreements give their
organisation for it while it works with the person; a record it does not work with is "Not
shared".

Cases in common name a person only to someone who may open their record; anyone else allowed the
list sees them counted.

An organisation's person records are imported for linkage only from the command line, as the
system principal started for imports."""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from resettle.access.categories import Category
from resettle.access.core import (
    ORGANISATION_ADMIN_ROLES,
    Actor,
    access_for,
    acting_staff,
    can_view_person,
    get_or_404,
    visible_person_ids,
)
from resettle.access.principals import (
    CASE_LEVEL_ROLES,
    StaffPrincipal,
    SystemPrincipal,
    SystemPurpose,
)
from resettle.accounts.models import Role
from resettle.linkage.models import LinkageRun, LinkPair, PairStatus
from resettle.partnerships.models import Partnership
from resettle.people.models import Person

# Peer mentors see their own mentees and nothing partnership-wide.
CASES_IN_COMMON_ROLES = (CASE_LEVEL_ROLES - {Role.PEER_MENTOR}) | frozenset(
    {Role.PARTNERSHIP_MANAGER, Role.ORGANISATION_ADMIN}
)
REVIEW_STATUSES = (PairStatus.REVIEW, PairStatus.UNSURE)


def can_manage_linkage(actor: Actor) -> bool:
    """Organisation admins and data-protection leads run linkage and review its pairs."""
    staff = acting_staff(actor)
    if staff is None:
        return False
    if staff.role in ORGANISATION_ADMIN_ROLES:
        return True
    return staff.is_data_protection_lead


def can_import_people(actor: Actor) -> bool:
    """An organisation's person records are imported from the command line, by the system
    principal started for imports; no member of staff imports them."""
    principal = access_for(actor).principal
    return (
        isinstance(principal, SystemPrincipal) and principal.purpose == SystemPurpose.PEOPLE_IMPORT
    )


def linkage_partnerships(actor: Actor) -> QuerySet[Partnership]:
    staff = acting_staff(actor)
    if staff is None or not can_manage_linkage(actor):
        return Partnership.objects.none()
    return Partnership.objects.filter(organisations=staff.organisation_id).order_by("name")


def runs_visible_to(actor: Actor) -> QuerySet[LinkageRun]:
    if not can_manage_linkage(actor):
        return LinkageRun.objects.none()
    return LinkageRun.objects.filter(partnership__in=linkage_partnerships(actor))


def get_run_for_actor(actor: Actor, run_id: Any) -> LinkageRun:
    return get_or_404(runs_visible_to(actor), run_id, "linkage run")


def _organisation_works_with(actor: Actor) -> QuerySet:
    """The people the actor's organisation works with today, as the access core says (a
    relationship that starts tomorrow or ended yesterday does not count)."""
    principal = access_for(actor).principal
    assert isinstance(principal, StaffPrincipal)  # a linkage manager is a current member
    return principal.working_now(date.today()).values("person_id")


def pairs_visible_to(actor: Actor) -> QuerySet[LinkPair]:
    """Pairs of the latest finished run of each of the actor's partnerships in which the
    actor's organisation works with at least one of the records."""
    if not can_manage_linkage(actor):
        return LinkPair.objects.none()
    latest = [
        run_id
        for run_id in (
            LinkageRun.objects.filter(partnership=partnership, state="done")
            .order_by("-created_at")
            .values_list("pk", flat=True)
            .first()
            for partnership in linkage_partnerships(actor)
        )
        if run_id is not None
    ]
    ours = _organisation_works_with(actor)
    return LinkPair.objects.filter(Q(left_id__in=ours) | Q(right_id__in=ours), run_id__in=latest)


def review_pairs(actor: Actor) -> QuerySet[LinkPair]:
    return pairs_visible_to(actor).filter(status__in=REVIEW_STATUSES)


def get_pair_for_actor(actor: Actor, pair_id: Any) -> LinkPair:
    return get_or_404(pairs_visible_to(actor), pair_id, "pair")


def reviewer_categories(actor: Actor, person: Person) -> frozenset[str]:
    """What of one side of a pair the reviewer sees: the categories agreements give their
    organisation for the person, when it works with them; nothing otherwise."""
    if not can_manage_linkage(actor):
        return frozenset()
    if not _organisation_works_with(actor).filter(person_id=person.pk).exists():
        return frozenset()
    return frozenset(access_for(actor).categories_by_agreement(person))


def reviewer_sees_identity(actor: Actor, person: Person) -> bool:
    return Category.IDENTITY in reviewer_categories(actor, person)


def reviewer_sees_contact(actor: Actor, person: Person) -> bool:
    return Category.CONTACT in reviewer_categories(actor, person)


# Cases in common ---------------------------------------------------------------------------------


def can_view_cases_in_common(actor: Actor) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in CASES_IN_COMMON_ROLES


def cases_in_common_partnerships(actor: Actor) -> QuerySet[Partnership]:
    staff = acting_staff(actor)
    if staff is None or not can_view_cases_in_common(actor):
        return Partnership.objects.none()
    return Partnership.objects.filter(organisations=staff.organisation_id).order_by("name")


def may_name(actor: Actor, person: Person) -> bool:
    """Whether a case in common is named to the actor, or only counted."""
    return can_view_cases_in_common(actor) and can_view_person(actor, person)


def people_named_in_common(actor: Actor) -> frozenset:
    """The ids of every record `may_name` allows, at once, for the whole list."""
    if not can_view_cases_in_common(actor):
        return frozenset()
    return frozenset(visible_person_ids(actor))
