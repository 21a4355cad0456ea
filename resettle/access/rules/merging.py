"""Merging two records of one person, and undoing it.

Only an organisation that alone holds both records may merge them: every working relationship,
case, referral, consent and other organisation-held row on each is its own. Records that more
than one organisation holds are linked by record linkage, never merged, so each organisation
keeps its own. The merge is done by the linkage reviewers (organisation admins and
data-protection leads) of that organisation, for two records it works with now; they see and
undo their organisation's merges, and nobody else's.

A merged record is no one's to open (it has no working relationships left); its address leads
to the record it was merged into, for whoever may open that one."""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from resettle.access.core import Actor, access_for, acting_staff, can_view_person, get_or_404
from resettle.access.principals import StaffPrincipal
from resettle.access.rules.linkage import can_manage_linkage, reviewer_sees_identity
from resettle.dataprotection.models import Anonymisation
from resettle.linkage.models import LinkPair, PairStatus
from resettle.people.models import Person, PersonMerge
from resettle.people.references import holders

SAME_RECORD = "A record cannot be merged into itself. Choose two different records."
ALREADY_MERGED = "{record} has already been merged into another record."
NOT_WORKED_WITH = (
    "{record} is not one your organisation works with now, so your organisation cannot merge it."
)
HELD_ELSEWHERE = (
    "{record} is also held by another organisation: records held by more than one "
    "organisation are linked, not merged, so each organisation keeps its own."
)
ANONYMISED = "{record} has been anonymised, so it cannot be merged."
# A record the reviewer may not see the name of.
UNNAMED = "One of the records"


def can_merge(actor: Actor) -> bool:
    """The linkage reviewers merge: organisation admins and data-protection leads."""
    return can_manage_linkage(actor)


def merge_refusal(actor: Actor, *, survivor: Person, merged: Person) -> str | None:
    """Why a linkage reviewer (`can_merge`) may not merge `merged` into `survivor`, or None
    when they may."""
    staff = acting_staff(actor)
    principal = access_for(actor).principal
    assert staff is not None and isinstance(principal, StaffPrincipal), "ask can_merge first"
    if survivor.pk == merged.pk:
        return SAME_RECORD
    pair = (survivor, merged)
    ids = [person.pk for person in pair]
    live = set(
        PersonMerge.objects.filter(merged_id__in=ids, unmerged_at__isnull=True).values_list(
            "merged_id", flat=True
        )
    )
    anonymised = set(
        Anonymisation.objects.filter(person_id__in=ids).values_list("person_id", flat=True)
    )
    # Today's work counts, as for linkage review: not a follow-up window after it ended.
    works = set(
        principal.working_now(date.today())
        .filter(person_id__in=ids)
        .values_list("person_id", flat=True)
    )
    held = holders(ids)
    for person in pair:
        names = {"record": record_name(actor, person)}
        if person.pk in live:
            return ALREADY_MERGED.format(**names)
        if person.pk in anonymised:
            return ANONYMISED.format(**names)
        if person.pk not in works:
            return NOT_WORKED_WITH.format(**names)
        if held.get(person.pk, set()) - {staff.organisation_id}:
            return HELD_ELSEWHERE.format(**names)
    return None


def merges_visible_to(actor: Actor) -> QuerySet[PersonMerge]:
    """The merges the actor's organisation made, for its linkage reviewers."""
    staff = acting_staff(actor)
    if staff is None or not can_merge(actor):
        return PersonMerge.objects.none()
    return PersonMerge.objects.filter(organisation_id=staff.organisation_id)


def get_merge_for_actor(actor: Actor, merge_id: Any) -> PersonMerge:
    return get_or_404(merges_visible_to(actor), merge_id, "merge")


def merged_into(actor: Actor, person_id: Any) -> Person | None:
    """The record a merged record now lives in, when the actor may open it; else None (the
    merged record is then the 404 of any record the actor may not see)."""
    merge = (
        PersonMerge.objects.filter(merged_id=person_id, unmerged_at__isnull=True)
        .select_related("survivor")
        .first()
    )
    if merge is None or not can_view_person(actor, merge.survivor):
        return None
    return merge.survivor


def may_name(actor: Actor, person: Person) -> bool:
    """Whether merge pages and messages name a record: as linkage review does, when the
    reviewer's organisation works with the person and agreements give it who they are. After a
    merge the survivor answers for both (the merged record is the same person's)."""
    return reviewer_sees_identity(actor, person)


def record_name(actor: Actor, person: Person) -> str:
    return f"{person.full_name}'s record" if may_name(actor, person) else UNNAMED


def can_merge_pair(actor: Actor, pair: LinkPair) -> bool:
    """Whether the pair page offers to merge: a pair reviewers said is one person, whose
    records the actor may merge."""
    if not can_merge(actor) or pair.status != PairStatus.ACCEPTED:
        return False
    return merge_refusal(actor, survivor=pair.left, merged=pair.right) is None


def merge_of_pair(actor: Actor, pair: LinkPair) -> PersonMerge | None:
    """The actor's organisation's standing merge of the pair's two records, if there is one."""
    return (
        merges_visible_to(actor)
        .filter(
            Q(survivor_id=pair.left_id, merged_id=pair.right_id)
            | Q(survivor_id=pair.right_id, merged_id=pair.left_id),
            unmerged_at__isnull=True,
        )
        .first()
    )


def people_to_merge(actor: Actor) -> QuerySet[Person]:
    """The records the actor may name in a merge: those their organisation works with now."""
    principal = access_for(actor).principal
    if not can_merge(actor) or not isinstance(principal, StaffPrincipal):
        return Person.objects.none()
    return Person.objects.filter(pk__in=principal.working_now(date.today()).values("person_id"))


def get_person_to_merge(actor: Actor, person_id: Any) -> Person:
    return get_or_404(people_to_merge(actor), person_id, "person")
