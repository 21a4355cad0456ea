"""Reads of contacts, and the whole-family view, already filtered for the actor by the policy.
A page that shows another organisation's notes, or a sensitive note, records the read."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from resettle.access import policy
from resettle.access import selectors as access_selectors
from resettle.access.categories import Category
from resettle.access.registry import category_of
from resettle.accounts.models import Membership
from resettle.audit.services import record_read, record_reads
from resettle.cases.models import Case, CaseState
from resettle.contacts.models import Contact
from resettle.custody.models import CustodyPeriod
from resettle.people.choices import ContactWishes
from resettle.people.models import HouseholdMember, Person, Relationship
from resettle.people.selectors import CustodyStatus, custody_status

SORTS = {"newest": "-happened_at", "oldest": "happened_at"}
# What reading a contact's note is, from the registry.
NOTE = category_of("contacts.Contact", "note")


def person_contacts(
    *,
    actor: Membership | None,
    person: Person,
    outcome: str = "",
    kind: str = "",
    pathway: str = "",
    sort: str = "newest",
) -> QuerySet[Contact]:
    contacts = policy.contacts_for_person(actor, person).select_related(
        "organisation", "recorded_by", "case"
    )
    if outcome:
        contacts = contacts.filter(outcome=outcome)
    if kind:
        contacts = contacts.filter(kind=kind)
    if pathway:
        contacts = contacts.filter(pathways__icontains=f'"{pathway}"')
    return contacts.order_by(SORTS.get(sort, SORTS["newest"]), "-created_at")


def audit_note_reads(
    *,
    actor: Membership | None,
    person: Person,
    contacts: list[Contact],
    request: HttpRequest | None = None,
) -> None:
    """Notes of other organisations and sensitive notes are case notes whose reading is
    recorded (one event per page, however many notes it shows)."""
    if actor is None:
        return
    if any(_is_case_note_read(actor, c) for c in contacts):
        record_read(actor=actor, person=person, categories=[NOTE], request=request)


def audit_note_reads_for_list(
    *,
    actor: Membership | None,
    contacts: list[Contact],
    request: HttpRequest | None = None,
) -> None:
    """audit_note_reads for a page of many people's contacts: one event per person whose case
    notes it shows, all in one insert, so the page costs the same queries however many people
    it shows."""
    if actor is None:
        return
    reads = [(c.person_id, NOTE) for c in contacts if _is_case_note_read(actor, c)]
    record_reads(actor=actor, reads=reads, request=request)


def _is_case_note_read(actor: Membership, contact: Contact) -> bool:
    """Another organisation's note, or a sensitive one, is a recorded read of case notes."""
    return bool(contact.note) and (
        contact.sensitive or contact.organisation_id != actor.organisation_id
    )


# The whole family ------------------------------------------------------------------------------


@dataclass
class FamilyMember:
    """One member of the person's household or one related person, as the actor may see them:
    `person` is None when they are not the actor's to see (then only the relationship shows)."""

    relationship: str
    person: Person | None
    lives_with: bool = False
    no_contact: bool = False
    contact_wishes: str = ""
    cases: list[Case] = field(default_factory=list)
    family_shared: bool = False
    # Where they are, where the actor may read their custody dates (directly, or shared through
    # the family with their consent).
    custody: CustodyStatus | None = None
    # How a relative the actor does not work with is named: "consent" (their own consent shares
    # their release dates with the family's support) or "break_glass".
    reached_by: str = ""


@dataclass
class FamilySupport:
    shared: bool
    members: list[FamilyMember] = field(default_factory=list)
    own_cases: list[Case] = field(default_factory=list)


def _latest_custody(person_ids: set) -> dict[Any, CustodyPeriod]:
    """Each person's latest custody period (as `custody.selectors.current_period`), in one query."""
    latest: dict[Any, CustodyPeriod] = {}
    for period in CustodyPeriod.objects.filter(person_id__in=person_ids).order_by(
        "person_id", "-start_date"
    ):
        latest.setdefault(period.person_id, period)
    return latest


def _live_cases(actor: Membership | None, person: Person) -> list[Case]:
    return list(
        policy.cases_for_person(actor, person)
        .exclude(state=CaseState.CLOSED)
        .select_related("organisation", "worker", "mentor")
        .order_by("organisation__name")
    )


def _live_cases_of(actor: Membership, people: list[Person]) -> dict[Any, list[Case]]:
    """`_live_cases` for each of several people the actor sees, in a fixed number of queries:
    by the list rule (`policy.cases_visible_to`, the same as `policy.cases_for_person` for a
    person the actor sees) for everyone, except those whose case notes the actor has opened by
    break-glass, which the list rule leaves out: they are read one by one, as before (rare)."""
    ids = [person.pk for person in people]
    if not ids:
        return {}
    glass = access_selectors.people_with_open_break_glass(
        actor=actor, person_ids=ids, category=Category.CASE_NOTES
    )
    cases: dict[Any, list[Case]] = {pk: [] for pk in ids}
    listed = (
        policy.cases_visible_to(actor)
        .filter(person_id__in=[pk for pk in ids if pk not in glass])
        .exclude(state=CaseState.CLOSED)
        .select_related("organisation", "worker", "mentor")
        .order_by("organisation__name")
    )
    for case in listed:
        cases[case.person_id].append(case)
    for person in people:
        if person.pk in glass:
            cases[person.pk] = _live_cases(actor, person)
    return cases


def family_support(
    *, actor: Membership | None, person: Person, request: HttpRequest | None = None
) -> FamilySupport:
    """For each current household member and each related person: their live cases by
    organisation, only where the actor sees them and has their family information, and only
    the cases the policy lets the actor see. A relationship where the person wants no contact
    is shown as such, and never used to show the other person."""
    if actor is None or not policy.can_view_category(actor, person, Category.FAMILY_CHILDREN):
        return FamilySupport(shared=False)
    record_read(actor=actor, person=person, categories=[Category.FAMILY_CHILDREN], request=request)
    members: dict[Any, FamilyMember] = {}
    relationships = (
        Relationship.objects.filter(person=person)
        .select_related("related_person")
        .order_by("kind", "related_person__date_of_birth")
    )
    for relationship in relationships:
        members[relationship.related_person_id] = FamilyMember(
            relationship=relationship.get_kind_display(),
            person=relationship.related_person,
            lives_with=relationship.lives_with,
            no_contact=relationship.contact_wishes == ContactWishes.NO_CONTACT,
            contact_wishes=relationship.get_contact_wishes_display(),
        )
    # The other side of the link: whoever wants no contact with this person is respected too.
    refused_by_them = set(
        Relationship.objects.filter(
            related_person=person, contact_wishes=ContactWishes.NO_CONTACT
        ).values_list("person_id", flat=True)
    )
    households = HouseholdMember.objects.filter(person=person, left_on__isnull=True).values(
        "household_id"
    )
    housemates = (
        HouseholdMember.objects.filter(household_id__in=households, left_on__isnull=True)
        .exclude(person=person)
        .select_related("person")
    )
    for housemate in housemates:
        member = members.get(housemate.person_id)
        if member is None:
            members[housemate.person_id] = FamilyMember(
                relationship="Lives in the same household", person=housemate.person
            )
        member = members[housemate.person_id]
        member.lives_with = True
    ids = list(members)
    with_family = set(
        policy.people_with_category(actor, Category.FAMILY_CHILDREN)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    for person_id in refused_by_them:
        if person_id in members:
            members[person_id].no_contact = True
    not_shared = [pid for pid, m in members.items() if pid not in with_family and not m.no_contact]
    by_consent = policy.relatives_shared_by_consent(actor, person, not_shared)
    by_break_glass = policy.family_shown_by_break_glass(actor, person)
    shown: list[FamilyMember] = []
    shown_people: list[Person] = []
    reached: list[Person] = []
    for person_id, member in members.items():
        if member.no_contact:
            member.person = None
        elif person_id in with_family:
            member.family_shared = True
            if member.person is not None:  # always: set from the relationship above
                shown_people.append(member.person)
        elif person_id in by_consent or by_break_glass:
            member.reached_by = "consent" if person_id in by_consent else "break_glass"
            if member.person is not None:
                reached.append(member.person)
        else:
            # Not the actor's to see: the relationship only.
            member.person = None
        shown.append(member)
    cases = _live_cases_of(actor, shown_people)
    for member in shown:
        if member.person is not None and member.family_shared:
            member.cases = cases[member.person.pk]
    custody_readable = set(
        policy.people_with_category(actor, Category.CUSTODY)
        .filter(pk__in=[p.pk for p in shown_people])
        .values_list("pk", flat=True)
    ) | {pid for pid, categories in by_consent.items() if Category.CUSTODY in categories}
    periods = _latest_custody(custody_readable)
    today = date.today()
    for member in shown:
        if member.person is not None and member.person.pk in custody_readable:
            member.custody = custody_status(periods.get(member.person.pk), today)
    # One read of family information for each relative shown, and of the custody dates and
    # identity read through the family, all in one insert.
    record_reads(
        actor=actor,
        reads=[(relative.pk, Category.FAMILY_CHILDREN) for relative in shown_people]
        + [(pid, Category.CUSTODY) for pid in sorted(custody_readable, key=str)]
        + [(relative.pk, Category.IDENTITY) for relative in reached],
        request=request,
    )
    shown.sort(key=lambda m: (m.person is None, m.relationship))
    return FamilySupport(shared=True, members=shown, own_cases=_live_cases(actor, person))
