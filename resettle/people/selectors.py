"""Reads of people and households, already filtered by what the actor may see."""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from rapidfuzz.distance import JaroWinkler

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.lib.identifiers import NORMALISERS
from resettle.lib.names import fold, given_name_variants, letters_key, name_key
from resettle.people.models import HouseholdMember, Identifier, Person, PersonName, Relationship

# How alike two names must be (Jaro-Winkler, 0..1) to count as the same name typed differently.
NAME_MATCH_THRESHOLD = 0.84
# Search ranks at most this many candidates; beyond it the user should narrow the search.
MAX_CANDIDATES = 1000
# Up to this many people, a caseload is read by its ids (fetched first: given a subquery,
# PostgreSQL may still read everyone in order) and sorted, rather than by reading everyone in
# the order wanted until enough of them are the actor's.
FEW_PEOPLE = 2000
# At most this many people found by an alias or previous name are considered.
MAX_ALIAS_MATCHES = 10 * MAX_CANDIDATES

ORDERINGS = {
    "name": ("family_name", "given_name"),
    "-name": ("-family_name", "-given_name"),
    # "Not recorded" sorts last either way, on SQLite and PostgreSQL alike.
    "date_of_birth": (F("date_of_birth").asc(nulls_last=True), "family_name"),
    "-date_of_birth": (F("date_of_birth").desc(nulls_last=True), "family_name"),
    "updated": ("-updated_at",),
}


def _with_related(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.prefetch_related(
        Prefetch("identifiers", queryset=Identifier.objects.order_by("scheme"))
    )


def with_identifiers(people: list[Person]) -> list[Person]:
    """Fetch the identifiers of people shown (one query), unless they already are."""
    prefetch_related_objects(
        people, Prefetch("identifiers", queryset=Identifier.objects.order_by("scheme"))
    )
    return people


def _identifier_matches(term: str) -> list[tuple[str, str]]:
    """The (scheme, value) pairs a search term could be, e.g. 'a1234bc' -> prison number A1234BC."""
    matches = []
    for scheme, normalise in NORMALISERS.items():
        try:
            matches.append((scheme, normalise(term)))
        except ValueError:
            continue
    return matches


def _name_score(query: str, candidates: set[str]) -> float:
    folded = fold(query)
    if not folded:
        return 0.0
    folded_candidates = (fold(c) for c in candidates)
    return max((JaroWinkler.similarity(folded, c) for c in folded_candidates if c), default=0.0)


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


def _name_candidates(people: QuerySet[Person], query: NameQuery) -> QuerySet[Person]:
    """Narrow by indexed keys first: phonetic key or prefix of either name, or an alias."""
    terms = [t for t in (query.given, query.family) if fold(t)]
    condition = Q()
    by_alias = Q()
    for term in terms:
        key = name_key(term)
        prefix = term[:3]
        letters = letters_key(term)
        condition |= Q(family_key=key) | Q(given_key=key) | Q(family_letters=letters)
        condition |= Q(family_name__istartswith=prefix) | Q(given_name__istartswith=prefix)
        by_alias |= Q(family_key=key) | Q(given_key=key) | Q(family_letters=letters)
    if terms:
        # Looked up first: ids in the condition keep each branch an index look-up, where a
        # subquery inside OR would make the database read every person.
        aliases = PersonName.objects.filter(by_alias).values_list("person_id", flat=True)
        condition |= Q(pk__in=set(aliases[:MAX_ALIAS_MATCHES]))
    # A single word may be a given name, so its nicknames count too ("Bill" finds William).
    for variant in given_name_variants(query.given or query.family):
        condition |= Q(given_name__iexact=variant) | Q(preferred_name__iexact=variant)
    return people.filter(condition)


def _score(person: Person, query: NameQuery) -> float:
    names = [(person.given_name, person.family_name)]
    if person.preferred_name:
        names.append((person.preferred_name, person.family_name))
    names += [(n.given_name, n.family_name) for n in person.other_names.all()]
    best = 0.0
    for given, family in names:
        family_score = _name_score(query.family, {family})
        if not query.given:
            # One word: it may be either name.
            given_score = _name_score(query.family, given_name_variants(given) | {given})
            best = max(best, family_score, given_score)
            continue
        given_score = _name_score(query.given, given_name_variants(given) | {given})
        swapped = (_name_score(query.given, {family}) + _name_score(query.family, {given})) / 2
        best = max(best, (given_score + family_score) / 2, swapped)
    return best


def person_list(
    *,
    actor: Membership | None,
    query: str = "",
    date_of_birth: date | None = None,
    sex: str = "",
    ordering: str = "name",
    visible_count: int | None = None,
) -> QuerySet[Person] | list[Person]:
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
        return _with_related(people.order_by(*ORDERINGS.get(ordering, ORDERINGS["name"])))

    identifiers = _identifier_matches(query)
    if identifiers:
        by_identifier = Q()
        for scheme, value in identifiers:
            by_identifier |= Q(identifiers__scheme=scheme, identifiers__value=value)
        found = list(_with_related(people.filter(by_identifier).distinct()))
        if found:
            return found

    name_query = NameQuery.parse(query)
    # Unordered, so the database may combine the indexed look-ups; ranking orders them. Only the
    # names are needed to rank: callers fetch identifiers for the page they show
    # (with_identifiers).
    candidates = (_name_candidates(people, name_query).order_by().prefetch_related("other_names"))[
        :MAX_CANDIDATES
    ]
    scored = [(p, _score(p, name_query)) for p in candidates]
    ranked = [
        p
        for p, score in sorted(scored, key=lambda ps: (-ps[1], ps[0].family_name, ps[0].given_name))
        if score >= NAME_MATCH_THRESHOLD
    ]
    return ranked


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

    People the actor may not see are only counted, so the warning never discloses who they are."""
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
    visible = list(_with_related(policy.people_visible_to(actor).filter(pk__in=ranked)))
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
