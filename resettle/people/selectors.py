"""Reads of people and households, already filtered by what the actor may see."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OrderBy, OuterRef, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.urls import reverse
from rapidfuzz.distance import JaroWinkler

from resettle.access import policy, registry
from resettle.access.categories import Category
from resettle.access.registry import category_of
from resettle.accounts.models import Membership
from resettle.appointments.models import Appointment
from resettle.appointments.selectors import upcoming_own_appointments
from resettle.cases.models import Case, CaseState, Task, TaskState
from resettle.cases.selectors import task_list
from resettle.consent.selectors import ConsentStatus, consent_list
from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.custody.selectors import current_period
from resettle.lib.identifiers import NORMALISERS
from resettle.lib.names import fold, given_name_variants, letters_key, name_key
from resettle.people.categories import shown_identifiers_of_many
from resettle.people.choices import ContactWishes
from resettle.people.models import HouseholdMember, Person, PersonName, Relationship
from resettle.referrals.models import LIVE_STATES, Referral
from resettle.referrals.selectors import person_referrals
from resettle.suitability.models import ANSWER_FIELDS, Answer, SuitabilityAssessment, YesNo
from resettle.suitability.selectors import ASSESSMENT

# How alike two names must be (Jaro-Winkler, 0..1) to count as the same name typed differently.
NAME_MATCH_THRESHOLD = 0.84
# Search ranks at most this many candidates; beyond it the user should narrow the search.
MAX_CANDIDATES = 1000
# Up to this many people, a caseload is read by its ids (fetched first: given a subquery,
# PostgreSQL may still read everyone in order) and sorted, rather than by reading everyone in
# the order wanted until enough of them are the actor's.
FEW_PEOPLE = 2000

ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
    "name": ("family_name", "given_name"),
    "-name": ("-family_name", "-given_name"),
    # "Not recorded" sorts last either way, on SQLite and PostgreSQL alike.
    "date_of_birth": (F("date_of_birth").asc(nulls_last=True), "family_name"),
    "-date_of_birth": (F("date_of_birth").desc(nulls_last=True), "family_name"),
    "updated": ("-updated_at",),
}


def with_identifiers(actor: Membership | None, people: list[Person]) -> list[Person]:
    """Fetch, as `shown_identifiers`, the identifiers of people shown that the actor may see
    (each scheme has its category, resettle/access/registry.py)."""
    prefetch_related_objects(people, shown_identifiers_of_many(actor, people))
    return people


def _by_identifier(actor: Membership | None, term: str) -> Q | None:
    """Who a search term names by an identifier the actor may see: a PNC ID finds no one for an
    actor who may not see it, so searching never reveals whose it is."""
    condition = None
    for scheme, value in _identifier_matches(term):
        matches = Q(identifiers__scheme=scheme, identifiers__value=value)
        category = registry.identifier_category(scheme)
        if category != Category.IDENTITY:
            # Correlated, so only the people the identifier names are checked (an IN would list
            # everyone the actor may see first: hundreds of thousands for a large organisation).
            matches &= Q(
                Exists(policy.people_with_category(actor, category).filter(pk=OuterRef("pk")))
            )
        condition = matches if condition is None else condition | matches
    return condition


def _identifier_matches(term: str) -> list[tuple[str, str]]:
    """The (scheme, value) pairs a search term could be, e.g. 'a1234bc' -> prison number A1234BC."""
    matches = []
    for scheme, normalise in NORMALISERS.items():
        try:
            matches.append((scheme, normalise(term)))
        except ValueError:
            continue
    return matches


def _name_score(folded_query: str, candidates) -> float:
    """How alike a folded query is to the closest of some names (0..1)."""
    if not folded_query:
        return 0.0
    return max(
        (JaroWinkler.similarity(folded_query, c) for c in map(fold, candidates) if c), default=0.0
    )


@dataclass(frozen=True)
class NameQuery:
    given: str
    family: str

    @classmethod
    def parse(cls, text: str) -> "NameQuery":
        words = text.replace(",", " ").split()
        if not words:
            return cls("", "")
        if "," in text:  # "Smith, John"
            family, _, given = text.partition(",")
            return cls(given.strip(), family.strip())
        if len(words) == 1:
            return cls("", words[0])
        return cls(words[0], words[-1])


def _ids(rows: QuerySet, field: str = "pk") -> QuerySet:
    """A branch of the name look-up: the people's ids, as the column `pid`."""
    return rows.order_by().annotate(pid=F(field)).values_list("pid", flat=True)


def _family_name_part(term: str) -> QuerySet:
    """Ids of people whose family name of several parts contains `term` ("Jones" finds
    "Smith-Jones"), through the trigram index of migration people.0004: GIN on PostgreSQL,
    FTS5 on SQLite. Both index only names of several parts, which is all this needs."""
    if connection.vendor == "sqlite":
        # A quoted FTS5 string matches the letters in order; names hold no double quotes.
        phrase = '"' + term.replace('"', "") + '"'
        return _ids(
            Person.objects.filter(
                id__in=RawSQL(
                    'SELECT "people_person"."id" FROM "people_person" WHERE '
                    '"people_person".rowid IN (SELECT rowid FROM "people_person_name_fts" '
                    'WHERE "people_person_name_fts" MATCH %s)',
                    [phrase],
                )
            )
        )
    # The same condition as the partial index, so PostgreSQL uses it.
    many_parts = Q(family_name__contains="-") | Q(family_name__contains=" ")
    return _ids(Person.objects.filter(many_parts, family_name__icontains=term))


def _name_matches(query: NameQuery) -> QuerySet | None:
    """The ids of everyone the name could be, by indexed look-ups, one UNION branch each so every
    branch is an index scan: phonetic or letters key of either name, a name starting with the
    term, a double-barrelled family name containing it (trigram index), an alias, a nickname."""
    terms = [t.strip() for t in (query.given, query.family) if fold(t)]
    branches = []
    for term in terms:
        key, letters = name_key(term), letters_key(term)
        branches += [
            _ids(Person.objects.filter(family_key=key)),
            _ids(Person.objects.filter(given_key=key)),
            _ids(Person.objects.filter(family_letters=letters)),
            _ids(Person.objects.filter(given_name__istartswith=term)),
            _ids(Person.objects.filter(family_name__istartswith=term)),
            _ids(
                PersonName.objects.filter(
                    Q(family_key=key) | Q(given_key=key) | Q(family_letters=letters)
                ),
                "person_id",
            ),
        ]
        if len(term) >= 3:  # the fewest letters a trigram index matches
            branches.append(_family_name_part(term))
    # A single word may be a given name, so its nicknames count too ("Bill" finds William).
    variants = given_name_variants(query.given or query.family)
    if variants:
        named = Q()
        for variant in variants:
            named |= Q(given_name__iexact=variant) | Q(preferred_name__iexact=variant)
        branches.append(_ids(Person.objects.filter(named)))
    if not branches:
        return None
    first, *rest = branches
    return first.union(*rest)


def _name_parts(name: str) -> set[str]:
    """The name and each part of it: "Smith-Jones" is also "Smith" and "Jones"."""
    return {name, *name.replace("-", " ").split()}


def _score_names(names: list[tuple[str, str]], query: NameQuery) -> float:
    """How well the best of a person's (given, family) names matches the query."""
    given_query, family_query = fold(query.given), fold(query.family)
    best = 0.0
    for given, family in names:
        given_names = given_name_variants(given) | {given}
        family_score = _name_score(family_query, _name_parts(family))
        if not given_query:
            # One word: it may be either name.
            best = max(best, family_score, _name_score(family_query, given_names))
            continue
        given_score = _name_score(given_query, given_names)
        swapped = (_name_score(given_query, {family}) + _name_score(family_query, {given})) / 2
        best = max(best, (given_score + family_score) / 2, swapped)
    return best


def _score(person: Person, query: NameQuery) -> float:
    names = [(person.given_name, person.family_name)]
    if person.preferred_name:
        names.append((person.preferred_name, person.family_name))
    names += [(n.given_name, n.family_name) for n in person.other_names.all()]
    return _score_names(names, query)


def _rank(candidates: QuerySet[Person], query: NameQuery) -> list:
    """The candidates' ids, best match first, from their names alone (plain values, as a common
    name can bring a thousand candidates)."""
    rows = list(candidates.values_list("pk", "given_name", "family_name", "preferred_name"))
    names: dict = {}
    for pk, given, family, preferred in rows:
        names[pk] = [(given, family)] + ([(preferred, family)] if preferred else [])
    other_names = PersonName.objects.filter(person_id__in=list(names)).values_list(
        "person_id", "given_name", "family_name"
    )
    for pk, given, family in other_names:
        names[pk].append((given, family))
    scored = [(_score_names(names[pk], query), family, given, pk) for pk, given, family, _ in rows]
    scored.sort(key=lambda row: (-row[0], row[1], row[2]))
    return [pk for score, _family, _given, pk in scored if score >= NAME_MATCH_THRESHOLD]


def person_list(
    *,
    actor: Membership | None,
    query: str = "",
    date_of_birth: date | None = None,
    sex: str = "",
    ordering: str = "name",
    visible_count: int | None = None,
) -> "QuerySet[Person] | list[Person] | SearchResults":
    """People the actor may see. With a query: ranked by how well the name matches (typos and
    nicknames tolerated) or exact matches on an identifier; otherwise a queryset in `ordering`.

    `visible_count` (policy.count_people_visible_to, when the caller has it) lets a small
    caseload be read by its ids; a large one is read in order, testing each person, as the
    order's index meets the actor's people every few rows."""
    if visible_count is not None and visible_count <= FEW_PEOPLE:
        people = Person.objects.filter(pk__in=list(policy.visible_person_ids(actor)))
    else:
        people = policy.people_visible_to(actor)
    if date_of_birth:
        people = people.filter(date_of_birth=date_of_birth)
    if sex:
        people = people.filter(sex=sex)
    query = query.strip()[:200]
    if not query:
        return people.order_by(*ORDERINGS.get(ordering, ORDERINGS["name"]))

    by_identifier = _by_identifier(actor, query)
    if by_identifier is not None:
        found = list(people.filter(by_identifier).distinct())
        if found:
            return found

    name_query = NameQuery.parse(query)
    matches = _name_matches(name_query)
    if matches is None:
        return SearchResults([])
    if visible_count is None and not (date_of_birth or sex):
        candidate_ids = _visible_matches(actor, matches)
    else:
        ids = people.filter(pk__in=matches).order_by().values_list("pk", flat=True)
        candidate_ids = list(ids[: MAX_CANDIDATES + 1])
    truncated = len(candidate_ids) > MAX_CANDIDATES
    ranked = _rank(Person.objects.filter(pk__in=candidate_ids[:MAX_CANDIDATES]), name_query)
    return SearchResults(ranked, truncated=truncated)


def _visible_matches(actor: Membership | None, matches: QuerySet) -> list:
    """Up to MAX_CANDIDATES + 1 of the matches the actor may see: the matches' ids (from
    indexes alone) each tested against the actor's working relationships (an index too), so
    no one's record is read. Written as SQL because in the ORM the test needs the people
    table, which the planner may read whole to join a few thousand matches."""
    visible = policy.visible_person_ids(actor).filter(person_id=RawSQL('"matches"."pid"', ()))
    try:
        union_sql, union_params = matches.query.sql_with_params()
        visible_sql, visible_params = visible.query.sql_with_params()
    except EmptyResultSet:  # the actor may see no one
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "matches"."pid" FROM ({union_sql}) "matches" '  # noqa: S608 (Django's SQL)
            f"WHERE EXISTS ({visible_sql}) LIMIT %s",
            [*union_params, *visible_params, MAX_CANDIDATES + 1],
        )
        return [Person._meta.pk.to_python(row[0]) for row in cursor.fetchall()]


class SearchResults(Sequence):
    """People found by name, best match first: a sequence that reads only the people asked for
    (a page), in rank order. `truncated` when more matched than MAX_CANDIDATES, so these are the
    best of those considered and the user should narrow the search."""

    def __init__(self, ids: list, *, truncated: bool = False) -> None:
        self.ids = ids
        self.truncated = truncated

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            wanted = self.ids[index]
            found = Person.objects.in_bulk(wanted)
            return [found[pk] for pk in wanted if pk in found]
        return self[index : index + 1 or None][0]

    def __iter__(self):
        return iter(self[:])

    def __bool__(self) -> bool:
        return bool(self.ids)

    def __eq__(self, other) -> bool:
        return list(self) == other if isinstance(other, list) else NotImplemented

    # Defining __eq__ leaves it unhashable (__hash__ is None), as a list is.


@dataclass
class DuplicateCheck:
    """People who may be the one being added: those the actor can see, and a count of others."""

    visible: list[Person]
    hidden_count: int

    def __bool__(self) -> bool:
        return bool(self.visible) or self.hidden_count > 0


def possible_duplicates(
    *,
    actor: Membership | None,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    identifiers: dict[str, str] | None = None,
    exclude: Person | None = None,
) -> DuplicateCheck:
    """Anyone in Resettle with a matching identifier, or a similar name and the same date of birth.

    People the actor may not see are only counted, so the warning never discloses who they are;
    those shown carry only the identifiers the actor may see."""
    matches = Q(pk__in=[])
    for scheme, raw in (identifiers or {}).items():
        try:
            value = NORMALISERS[scheme](raw)
        except (KeyError, ValueError):
            continue
        matches |= Q(identifiers__scheme=scheme, identifiers__value=value)
    ranked: set = set(Person.objects.filter(matches).values_list("pk", flat=True))
    if date_of_birth and (given_name or family_name):
        query = NameQuery(given_name, family_name)
        same_birthday = Person.objects.filter(date_of_birth=date_of_birth).prefetch_related(
            "other_names"
        )[:MAX_CANDIDATES]
        ranked |= {p.pk for p in same_birthday if _score(p, query) >= NAME_MATCH_THRESHOLD}
    if exclude is not None:
        ranked.discard(exclude.pk)
    if not ranked:
        return DuplicateCheck(visible=[], hidden_count=0)
    visible = with_identifiers(actor, list(policy.people_visible_to(actor).filter(pk__in=ranked)))
    return DuplicateCheck(visible=visible, hidden_count=len(ranked) - len(visible))


def person_family(*, actor: Membership | None, person: Person) -> dict:
    """The person's relationships and households. Related people the actor may not see appear
    only as their relationship ("a child"), never by name."""
    visible_ids = set(
        policy.people_visible_to(actor)
        .filter(pk__in=Relationship.objects.filter(person=person).values("related_person_id"))
        .values_list("pk", flat=True)
    )
    relationships = list(
        Relationship.objects.filter(person=person)
        .select_related("related_person")
        .order_by("kind", "related_person__date_of_birth")
    )
    for relationship in relationships:
        relationship.related_visible = relationship.related_person_id in visible_ids
    memberships = list(
        HouseholdMember.objects.filter(person=person)
        .select_related("household")
        .order_by("left_on", "-joined_on")
    )
    return {"relationships": relationships, "household_memberships": memberships}


def household_members(*, actor: Membership | None, household) -> list[HouseholdMember]:
    """Current and past members; members the actor may not see are marked, not named."""
    members = list(
        household.members.select_related("person").order_by("left_on", "person__family_name")
    )
    visible_ids = set(
        policy.people_visible_to(actor)
        .filter(pk__in=[m.person_id for m in members])
        .values_list("pk", flat=True)
    )
    for member in members:
        member.person_visible = member.person_id in visible_ids
    return members


# A person's summary ------------------------------------------------------------------------------
#
# The first page of a record answers "where are they, who works with them, what is live, what
# must I know": each part only where the policy lets the actor read its category, in the same
# few queries however long the person's history.

# How many live referrals and open tasks the summary lists before linking to the rest.
SUMMARY_ROWS = 5


@dataclass(frozen=True)
class CustodyStatus:
    """Where the person is, from their latest custody period, as one label and its dates."""

    label: str
    colour: str  # a GOV.UK tag modifier
    period: CustodyPeriod | None = None
    expected_release: date | None = None
    licence_ends: date | None = None


@dataclass(frozen=True)
class Alert:
    """Something everyone working with the person should know first, and where to read more."""

    text: str
    url: str


@dataclass
class PersonSummary:
    """What a person's summary shows: `custody` is None, and a list empty or shorter, where the
    actor may not read it. `read` names the categories it shows, for the audit trail."""

    custody: CustodyStatus | None
    live_cases: list[Case]
    referrals: list[Referral]
    more_referrals: bool
    tasks: list[Task]
    more_tasks: bool
    appointments: list[Appointment]
    alerts: list[Alert]
    read: list[str] = field(default_factory=list)

    @property
    def organisations(self) -> list[str]:
        """The organisations with a live case, each once, in the order their cases are shown."""
        return list(dict.fromkeys(case.organisation.name for case in self.live_cases))


def custody_status(period: CustodyPeriod | None, today: date) -> CustodyStatus:
    """In custody, recalled, on licence or in the community, from the latest period."""
    if period is None:
        return CustodyStatus("No custody recorded", "grey")
    if period.in_custody:
        expected = period.expected_release_still_due
        if period.recalled_on is not None:
            return CustodyStatus("Recalled to custody", "red", period, expected)
        label = "On remand" if period.kind == CustodyKind.REMAND else "In custody"
        return CustodyStatus(label, "red", period, expected)
    if period.licence_end_date is not None and period.licence_end_date >= today:
        return CustodyStatus("Released on licence", "yellow", period, None, period.licence_end_date)
    if period.supervision_end_date is not None and period.supervision_end_date >= today:
        return CustodyStatus(
            "Released, under supervision", "yellow", period, None, period.supervision_end_date
        )
    return CustodyStatus("In the community", "green", period)


# Each "May they ...?" question as the assessment's form asks it.
QUESTIONS: dict[str, str] = {
    f.name: str(f.verbose_name)
    for f in SuitabilityAssessment._meta.fields
    if f.name in ANSWER_FIELDS
}


def _suitability_alerts(person: Person, url: str) -> list[Alert]:
    """The current assessment's restrictions, in the words partners act on (never the reason)."""
    assessment = (
        SuitabilityAssessment.objects.filter(person=person, superseded_by__isnull=True)
        .order_by("-assessed_on", "-created_at")
        .first()
    )
    if assessment is None:
        return []
    alerts = []
    if assessment.expired:
        alerts.append(
            Alert(
                f"Suitability assessment overdue for review since {assessment.review_on:%-d %B %Y}",
                url,
            )
        )
    for name in ANSWER_FIELDS:
        answer = getattr(assessment, name)
        question = QUESTIONS[name]
        if answer == Answer.NO:
            alerts.append(Alert(f"{question}: no", url))
        elif answer == Answer.YES_WITH_MEASURES:
            alerts.append(Alert(f"{question}: only with measures", url))
    if assessment.two_staff_needed == YesNo.YES:
        alerts.append(Alert("Two staff needed", url))
    if assessment.named_contact_restriction == YesNo.YES:
        alerts.append(Alert("Must not be in contact with named people: ask the assessor", url))
    if assessment.areas_to_avoid:
        alerts.append(Alert("Has areas or places to avoid", url))
    return alerts


def _consent_alert(actor: Membership | None, person: Person, url: str) -> Alert | None:
    """Said when none of the person's consents is current: sharing that rests on consent stops."""
    # Only the dates: the banner names no one and no organisation.
    latest = (
        consent_list(actor=actor, person=person)
        .select_related(None)
        .prefetch_related(None)
        .only("given_on", "expires_on", "withdrawn_on")
        .first()
    )
    # `status` is annotated by the consent selectors, from the same dates as the policy.
    status = getattr(latest, "status", None)
    if latest is None or status == ConsentStatus.CURRENT:
        return None
    if status == ConsentStatus.WITHDRAWN and latest.withdrawn_on is not None:
        return Alert(f"Consent withdrawn on {latest.withdrawn_on:%-d %B %Y}", url)
    return Alert(f"Consent expired on {latest.expires_on:%-d %B %Y}", url)


def person_summary(
    *, actor: Membership | None, person: Person, today: date | None = None
) -> PersonSummary:
    """The person's status, who works with them, what is live and the alerts, each part only
    where the policy lets the actor read it. The caller records `read` in the audit trail."""
    today = today or date.today()
    read: list[str] = []
    alerts: list[Alert] = []

    custody = None
    if policy.can_view_custody(actor, person):
        custody = custody_status(current_period(person), today)
        if custody.period is not None:
            read.append(Category.CUSTODY)
        period = custody.period
        if period is not None and period.in_custody and period.recalled_on is not None:
            recalled = period.recalled_on
            alerts.append(
                Alert(
                    f"Recalled to custody on {recalled:%-d %B %Y}",
                    reverse("custody:person", args=[person.pk]),
                )
            )

    own_organisation = actor.organisation_id if actor is not None else None
    live_cases = list(
        policy.cases_for_person(actor, person)
        .exclude(state=CaseState.CLOSED)
        .select_related("organisation", "worker", "mentor")
        .order_by("organisation__name", "-opened_on", "pk")
    )
    for case in live_cases:
        case.person = person  # each is theirs: asking for it again would cost a query
    tasks = list(
        task_list(actor=actor, person=person, state=TaskState.TO_DO).select_related(
            "assigned_to", "case__organisation"
        )[: SUMMARY_ROWS + 1]
    )
    if any(c.organisation_id != own_organisation for c in live_cases) or any(
        t.case.organisation_id != own_organisation for t in tasks
    ):
        read.append(Category.CASE_NOTES)

    referrals = list(
        person_referrals(actor=actor, person=person).filter(state__in=LIVE_STATES)[
            : SUMMARY_ROWS + 1
        ]
    )

    if policy.can_view_suitability(actor, person):
        suitability = _suitability_alerts(person, reverse("suitability:person", args=[person.pk]))
        if suitability:
            read.append(category_of(ASSESSMENT))
        alerts += suitability
    if policy.can_view_category(actor, person, Category.FAMILY_CHILDREN):
        no_contact = Relationship.objects.filter(
            person=person, contact_wishes=ContactWishes.NO_CONTACT
        ).count()
        if no_contact:
            read.append(Category.FAMILY_CHILDREN)
            members = "family member" if no_contact == 1 else "family members"
            alerts.append(
                Alert(
                    f"No contact wanted with {no_contact} {members}",
                    reverse("people:family", args=[person.pk]),
                )
            )
    consent = _consent_alert(actor, person, reverse("consent:person_consents", args=[person.pk]))
    if consent is not None:
        alerts.append(consent)

    return PersonSummary(
        custody=custody,
        live_cases=live_cases,
        referrals=referrals[:SUMMARY_ROWS],
        more_referrals=len(referrals) > SUMMARY_ROWS,
        tasks=tasks[:SUMMARY_ROWS],
        more_tasks=len(tasks) > SUMMARY_ROWS,
        appointments=upcoming_own_appointments(actor=actor, person=person),
        alerts=alerts,
        read=read,
    )
