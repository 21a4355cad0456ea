"""Reads for the reports area: the scopes an actor may report on, reports already suppressed
as the actor may see them, and the records behind the data quality report that the actor may
open, to fix them."""

from typing import Any

from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.core import Actor
from resettle.audit.services import record_reads
from resettle.contacts.models import Contact, ContactOutcome
from resettle.people.models import Person
from resettle.reports.data_quality import Counter as DataQualityCounter
from resettle.reports.figures import Progress, Report, Scope, no_progress, suppressed
from resettle.reports.kinds import ReportKind
from resettle.reports.periods import Period
from resettle.reports.records_to_fix import BY_KEY, CASES, CONTACTS, ORDERINGS, PAIRS, Problem

ORGANISATION = "organisation"
PARTNERSHIP = "partnership"


def report_scopes(*, actor: Actor) -> list[Scope]:
    """The actor's own organisation first, then their partnerships, then other members."""
    organisations = list(policy.report_organisations(actor))
    staff = policy.acting_staff(actor)
    own = [o for o in organisations if staff is not None and o.pk == staff.organisation_id]
    others = [o for o in organisations if o not in own]
    partnerships = (
        policy.report_partnerships(actor).prefetch_related("organisations").order_by("name")
    )
    return (
        [Scope(ORGANISATION, str(o.pk), o.name, frozenset({o.pk})) for o in own]
        + [
            Scope(
                PARTNERSHIP,
                str(p.pk),
                p.name,
                frozenset(o.pk for o in p.organisations.all()),
            )
            for p in partnerships
        ]
        + [Scope(ORGANISATION, str(o.pk), o.name, frozenset({o.pk})) for o in others]
    )


def scope_named(*, actor: Actor, kind: str, id: str) -> Scope | None:
    """The scope, or None when it does not exist or the actor may not report on it."""
    return next((s for s in report_scopes(actor=actor) if s.kind == kind and s.id == str(id)), None)


def report_for(
    *,
    actor: Actor,
    kind: ReportKind,
    scope: Scope,
    period: Period,
    progress: Progress = no_progress,
) -> Report:
    """The report as the actor may see it: exact for their own organisation, else suppressed."""
    exact = policy.reports_exactly(actor, scope.organisation_ids)
    return suppressed(kind.build(scope=scope, period=period, exact=exact, progress=progress))


# The records behind the data quality report ------------------------------------------------------


def own_scope(*, actor: Actor) -> Scope | None:
    """The actor's own organisation, the only scope whose records they are shown to fix."""
    staff = policy.acting_staff(actor)
    if staff is None:
        return None
    own = staff.organisation
    return Scope(ORGANISATION, str(own.pk), own.name, frozenset({own.pk}))


def _openable(actor: Actor, problem: Problem) -> QuerySet:
    """The records of the problem's kind the actor may open."""
    if problem.lists == CASES:
        return policy.cases_visible_to(actor)
    if problem.lists == CONTACTS:
        return policy.contacts_visible_to(actor)
    people = policy.people_with_category(actor, problem.category)
    return Person.objects.filter(policy.about(people, "pk"))


def records_to_fix(*, actor: Actor, problem: Problem, period: Period, sort: str) -> QuerySet:
    """The records of `problem` in the actor's own organisation in the period, those the actor
    may open only, in the order `sort` names (one of the problem's table's)."""
    scope = own_scope(actor=actor)
    if scope is None or not policy.can_view_case_records(actor):
        return Person.objects.none()
    counter = DataQualityCounter(scope, period)
    records = problem.records(counter, _openable(actor, problem))
    if problem.lists in (CASES, CONTACTS):
        records = records.select_related("person")
    if problem.lists == CONTACTS:
        late_by = ExpressionWrapper(F("created_at") - F("happened_at"), DurationField())
        records = records.annotate(late_by=late_by)
    if problem.key == "cases_without_recent_contact":
        last = Contact.objects.filter(
            case_id=OuterRef("pk"),
            outcome=ContactOutcome.ATTENDED,
            happened_at__lt=counter.after,
        ).order_by("-happened_at")
        records = records.annotate(last_contact=Subquery(last.values("happened_at")[:1]))
    return records.order_by(*ORDERINGS[problem.lists][sort])


def records_to_fix_count(*, actor: Actor, problem: Problem, period: Period) -> int:
    """How many of `problem` the actor's organisation has in the period, as its own data quality
    report counts them (pairs, for possible duplicates): for those who read the report."""
    scope = own_scope(actor=actor)
    if scope is None:
        return 0
    records = problem.records(DataQualityCounter(scope, period), None)
    if problem.lists == PAIRS:
        return records.aggregate(pairs=Coalesce(Sum("later"), 0))["pairs"]
    return records.count()


def look_alikes(*, actor: Actor, period: Period, people: list[Person]) -> dict[Any, list[Person]]:
    """For each of `people` (a page of possible duplicates), the later records that may be the
    same person, of those the actor may open: one query for the page."""
    scope = own_scope(actor=actor)
    if scope is None or not people:
        return {}
    problem = BY_KEY["possible_duplicate_pairs"]
    counter = DataQualityCounter(scope, period)
    keys = Q()
    for person in people:
        keys |= Q(
            date_of_birth=person.date_of_birth,
            given_key=person.given_key,
            family_key=person.family_key,
        )
    candidates = counter.compared(_openable(actor, problem)).filter(keys).order_by("pk")
    alike: dict[Any, list[Person]] = {person.pk: [] for person in people}
    for candidate in candidates:
        for person in people:
            if candidate.pk > person.pk and (
                candidate.date_of_birth,
                candidate.given_key,
                candidate.family_key,
            ) == (person.date_of_birth, person.given_key, person.family_key):
                alike[person.pk].append(candidate)
    return alike


def audit_records_read(
    *,
    actor: Actor,
    problem: Problem,
    person_ids: list[Any],
    request: HttpRequest | None = None,
) -> None:
    """A list of records to fix is a read, of what it is about, of each person it shows: one
    event each, in one insert, however many the page shows."""
    staff = policy.acting_staff(actor)
    record_reads(actor=staff, reads=[(pk, problem.category) for pk in person_ids], request=request)
