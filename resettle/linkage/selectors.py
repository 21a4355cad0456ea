"""Reads in the linkage area, each for an actor and already cut to what they may see: runs, the
review queue (each side of a pair as the reviewer may see it), and the partnership's cases in
common."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.access.core import Actor, acting_staff
from resettle.access.rules import linkage as rules
from resettle.accounts.models import Organisation
from resettle.appointments.models import AppointmentState
from resettle.linkage.models import LinkageRun, LinkPair, PersonLink, RunState
from resettle.partnerships.models import Partnership
from resettle.people.models import Address, Identifier, Person, WorkingRelationship

NOT_SHARED = "Not shared"
FIELD_LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "postcode": "Postcode",
    "prison_number": "Prison number",
    "crn": "CRN",
    "pnc": "PNC ID",
    "ni_number": "National Insurance number",
}


def runs_for(*, actor: Actor) -> QuerySet[LinkageRun]:
    return rules.runs_visible_to(actor).select_related("partnership").order_by("-created_at")


def latest_run(partnership: Partnership) -> LinkageRun | None:
    return (
        LinkageRun.objects.filter(partnership=partnership, state=RunState.DONE)
        .order_by("-created_at")
        .first()
    )


# Review -------------------------------------------------------------------------------------------


@dataclass
class Side:
    """One record of a pair as the reviewer may see it."""

    shared: bool
    fields: dict[str, str] = field(default_factory=dict)


def review_queue(*, actor: Actor) -> QuerySet[LinkPair]:
    return rules.review_pairs(actor).order_by("-match_weight", "pk")


def side_of(*, actor: Actor, person: Person) -> Side:
    categories = rules.reviewer_categories(actor, person)
    if Category.IDENTITY not in categories:
        return Side(shared=False)
    shown = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.strftime("%-d %B %Y")
        if person.date_of_birth
        else "Not recorded",
        "sex": person.get_sex_display(),
    }
    if Category.CONTACT in categories:
        address = Address.objects.filter(person=person).exclude(postcode="").first()
        shown["postcode"] = address.postcode if address else "Not recorded"
    for identifier in Identifier.objects.filter(person=person):
        category = Category.IDENTITY
        if identifier.scheme != "ni_number":
            category = Category.CRIMINAL_JUSTICE_IDS
        if category in categories:
            shown[identifier.scheme] = identifier.value
    return Side(shared=True, fields=shown)


@dataclass
class Comparison:
    pair: LinkPair
    left: Side
    right: Side
    rows: list[dict[str, Any]]


def _agreement(pair: LinkPair, key: str) -> str:
    if key in pair.agreed:
        return f"Agrees ({pair.agreed[key]})"
    if key in pair.disagreed:
        return "Disagrees"
    return "Missing on one side"


def compare(*, actor: Actor, pair: LinkPair) -> Comparison:
    """The pair side by side: each field either side shows or the model compared, with what
    the reviewer may see of each side and whether the model found it agreed."""
    left = side_of(actor=actor, person=pair.left)
    right = side_of(actor=actor, person=pair.right)
    rows = []
    for key, label in FIELD_LABELS.items():
        compared = key in pair.agreed or key in pair.disagreed
        if not compared and key not in left.fields and key not in right.fields:
            continue
        rows.append(
            {
                "label": label,
                "left": left.fields.get(key, "Not shown" if left.shared else NOT_SHARED),
                "right": right.fields.get(key, "Not shown" if right.shared else NOT_SHARED),
                "agreement": _agreement(pair, key),
                "agrees": key in pair.agreed,
            }
        )
    return Comparison(pair=pair, left=left, right=right, rows=rows)


# Cases in common ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkInCommon:
    """One organisation working with a person in common, as the actor may see it."""

    organisation: str
    state: str  # its latest case's state, or NOT_SHARED
    next_appointment: datetime | None = None  # the next booked one the actor may see


@dataclass
class CaseInCommon:
    cluster: str
    person_id: Any  # the record that names them to the actor
    person_ids: tuple  # every record of theirs the actor may open
    organisation_ids: frozenset  # every member organisation working with the person
    person: Person | None = None  # filled in for the rows shown (`with_details`)
    organisations: list[WorkInCommon] = field(default_factory=list)
    others: int = 0  # organisations working with them that are not named to the actor


@dataclass
class CasesInCommon:
    named: list[CaseInCommon]
    counted: int
    linked: bool  # whether a finished linkage run grouped the records

    @property
    def total(self) -> int:
        return len(self.named) + self.counted


def cases_in_common(
    *, actor: Actor, partnership: Partnership, start: date, end: date
) -> CasesInCommon:
    """People (clusters of records, or a record alone) that two or more member organisations
    worked with during the period, surname first. Named only to someone who may open one of
    their records (the first such record names them); everyone else is counted. A page of rows
    gets its names and case states from `with_details`."""
    if not rules.cases_in_common_partnerships(actor).filter(pk=partnership.pk).exists():
        return CasesInCommon([], 0, False)
    run = latest_run(partnership)
    relationships = WorkingRelationship.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        organisation__in=partnership.organisations.all(),
        started_on__lte=end,
    ).values_list("person_id", "organisation_id")
    cluster_of: dict[Any, str] = {}
    if run is not None:
        cluster_of = {
            pid: str(cid)
            for pid, cid in PersonLink.objects.filter(run=run).values_list(
                "person_id", "cluster_id"
            )
        }
    organisations: dict[str, set] = defaultdict(set)
    members: dict[str, set] = defaultdict(set)
    for person_id, organisation_id in relationships:
        cluster = cluster_of.get(person_id, str(person_id))
        organisations[cluster].add(organisation_id)
        members[cluster].add(person_id)
    in_common = {c: orgs for c, orgs in organisations.items() if len(orgs) >= 2}
    visible = rules.people_named_in_common(actor)
    named: list[CaseInCommon] = []
    counted = 0
    for cluster in sorted(in_common):
        shown = sorted((p for p in members[cluster] if p in visible), key=str)
        if not shown:
            counted += 1
            continue
        named.append(CaseInCommon(cluster, shown[0], tuple(shown), frozenset(in_common[cluster])))
    names = dict(
        (pk, (family, given))
        for pk, family, given in Person.objects.filter(
            pk__in=[row.person_id for row in named]
        ).values_list("pk", "family_name", "given_name")
    )
    named.sort(key=lambda row: names.get(row.person_id, ("", "")))
    return CasesInCommon(named=named, counted=counted, linked=run is not None)


def with_details(*, actor: Actor, rows: list[CaseInCommon]) -> list[CaseInCommon]:
    """The people named in `rows`, and each organisation's case state where the actor may see
    that case; an organisation is named beside the person only then (or when it is the actor's
    own), since who else works with someone can itself be sensitive. A fixed number of queries
    however many rows."""
    if not rows:
        return rows
    people = Person.objects.in_bulk([row.person_id for row in rows])
    all_orgs = set().union(*(row.organisation_ids for row in rows))
    names = dict(Organisation.objects.filter(pk__in=all_orgs).values_list("pk", "name"))
    states: dict[tuple, str] = {}
    records = [pk for row in rows for pk in row.person_ids]
    cases = (
        policy.cases_visible_to(actor)
        .filter(person_id__in=records, organisation_id__in=all_orgs)
        .order_by("opened_on")
    )
    for case in cases:  # the latest case of each organisation with each record wins
        states[(case.person_id, case.organisation_id)] = case.get_state_display()
    upcoming: dict[tuple, datetime] = {}
    appointments = (
        policy.appointments_visible_to(actor)
        .filter(
            person_id__in=records,
            organisation_id__in=all_orgs,
            state=AppointmentState.BOOKED,
            starts_at__gte=timezone.now(),
        )
        .order_by("-starts_at")
        .values_list("person_id", "organisation_id", "starts_at")
    )
    for person_id, organisation_id, starts_at in appointments:  # the soonest wins
        upcoming[(person_id, organisation_id)] = starts_at
    staff = acting_staff(actor)
    own = staff.organisation_id if staff else None
    for row in rows:
        row.person = people[row.person_id]
        shown = [
            org for org in row.organisation_ids if (row.person_id, org) in states or org == own
        ]
        row.organisations = sorted(
            (
                WorkInCommon(
                    names[org],
                    states.get((row.person_id, org), NOT_SHARED),
                    upcoming.get((row.person_id, org)),
                )
                for org in shown
            ),
            key=lambda work: work.organisation,
        )
        row.others = len(row.organisation_ids) - len(shown)
    return rows


# Counting people once -----------------------------------------------------------------------------


def distinct_people(*, partnership_id: Any, people: QuerySet[Person]) -> int | None:
    """How many different people `people` are, counting the records the partnership's latest
    finished linkage run put in one cluster once (a record the run did not see counts as
    itself). None when the partnership has no finished run: the caller counts records.

    A count, naming no one: reports call it for their "people supported (distinct)"."""
    run_id = (
        LinkageRun.objects.filter(partnership_id=partnership_id, state=RunState.DONE)
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    if run_id is None:
        return None
    cluster = PersonLink.objects.filter(run_id=run_id, person_id=OuterRef("pk")).values(
        "cluster_id"
    )[:1]
    return (
        people.order_by()
        .annotate(cluster=Coalesce(Subquery(cluster), F("pk")))
        .values("cluster")
        .distinct()
        .count()
    )
