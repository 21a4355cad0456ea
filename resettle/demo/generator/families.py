"""Families of about a third of the people leaving prison: households, partners, former partners,
children (some under 18) and parents, with relationships recorded from both sides and each
person's own wishes about contact, including some who want none."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from resettle.demo.generator import identity
from resettle.demo.generator.context import DemoResult, Family, Step, save_all
from resettle.people.choices import (
    NOT_RECORDED,
    RELATIONSHIP_INVERSE,
    AddressKind,
    ContactWishes,
    IdentifierScheme,
    RelationshipKind,
    Sex,
)
from resettle.people.models import (
    Address,
    Household,
    HouseholdMember,
    Identifier,
    Person,
    Relationship,
)

FAMILY_SHAPES = {"partner_and_children": 45.0, "partner": 20.0, "children": 20.0, "parent": 15.0}
CHILD_COUNTS = {1: 45.0, 2: 35.0, 3: 20.0}

# Wishes of each side about contact with the other (the person leaving prison is "leaver").
PARTNER_WISHES = {
    ContactWishes.HAPPY: 60.0,
    ContactWishes.THROUGH_WORKER: 10.0,
    ContactWishes.NO_CONTACT: 10.0,
    NOT_RECORDED: 20.0,
}
FORMER_PARTNER_WISHES = {
    ContactWishes.NO_CONTACT: 40.0,
    ContactWishes.THROUGH_WORKER: 30.0,
    ContactWishes.HAPPY: 10.0,
    NOT_RECORDED: 20.0,
}
LEAVER_WISHES = {ContactWishes.HAPPY: 75.0, ContactWishes.THROUGH_WORKER: 5.0, NOT_RECORDED: 20.0}
YOUNG_CHILD_WISHES = {
    NOT_RECORDED: 60.0,
    ContactWishes.THROUGH_WORKER: 20.0,
    ContactWishes.HAPPY: 20.0,
}
OLDER_CHILD_WISHES = {
    ContactWishes.HAPPY: 50.0,
    ContactWishes.NO_CONTACT: 15.0,
    ContactWishes.THROUGH_WORKER: 15.0,
    NOT_RECORDED: 20.0,
}


@dataclass
class _Rows:
    people: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    members: list[HouseholdMember] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)


def create_families(result: DemoResult) -> None:
    step = Step(result, "families")
    identifiers = identity.IdentifierMaker(
        step, set(Identifier.objects.values_list("scheme", "value"))
    )
    eligible = [p for p in result.leavers if (p.age_on(step.today) or 0) >= 20]
    wanted = min(len(eligible), round(len(result.leavers) / 3))
    rows = _Rows()
    for leaver in step.rng.sample(eligible, wanted):
        family = _family(step, leaver, rows, result)
        for person in family.members:
            if (person.age_on(step.today) or 0) >= 16 and step.chance(0.5):
                rows.identifiers.append(identifiers.make(person, IdentifierScheme.NI_NUMBER))
        result.families.append(family)

    for person in rows.people:
        person.set_search_keys()
    result.family_members = save_all(Person, rows.people, "family members", result)
    result.households = save_all(Household, rows.households, "households", result)
    save_all(HouseholdMember, rows.members, "household members", result)
    save_all(Relationship, rows.relationships, "relationships", result)
    save_all(Address, rows.addresses, "addresses", result)
    save_all(Identifier, rows.identifiers, "identifiers", result)


def _relative(
    step: Step, leaver: Person, *, age: int, sex: str, family_name: str | None, result: DemoResult
) -> Person:
    ethnicity = leaver.ethnicity if step.chance(0.75) else step.pick(identity.ETHNICITY_WEIGHTS)
    person = identity.new_person(
        step,
        age=age,
        sex=sex,
        ethnicity=ethnicity,
        family_name=family_name,
        created_by=result.users["family"],
    )
    if age >= 16:
        identity.contact_details(step, person, phone=0.6, email=0.25)
    return person


def _other_sex(step: Step, sex: str) -> str:
    if sex not in (Sex.MALE, Sex.FEMALE) or step.chance(0.1):
        return step.rng.choice([Sex.MALE, Sex.FEMALE])
    return Sex.FEMALE if sex == Sex.MALE else Sex.MALE


def _family(step: Step, leaver: Person, rows: _Rows, result: DemoResult) -> Family:
    shape = step.pick(FAMILY_SHAPES)
    leaver_age = leaver.age_on(step.today) or 30
    others: list[Person] = []
    # (a, b, how a is related to b, a's wishes about contact with b)
    links: list[tuple[Person, Person, str, str]] = []

    adult = None
    if shape in ("partner", "partner_and_children", "children"):
        adult = _relative(
            step,
            leaver,
            age=max(18, min(75, leaver_age + step.rng.randint(-8, 6))),
            sex=_other_sex(step, leaver.sex),
            family_name=leaver.family_name if step.chance(0.4) else None,
            result=result,
        )
        others.append(adult)
        if shape == "children":
            # A former partner, caring for their children; often wanting no contact.
            links.append((adult, leaver, RelationshipKind.OTHER, step.pick(FORMER_PARTNER_WISHES)))
        else:
            links.append((adult, leaver, RelationshipKind.PARTNER, step.pick(PARTNER_WISHES)))

    children: list[Person] = []
    if shape in ("partner_and_children", "children"):
        assert adult is not None  # made above for these shapes
        youngest_parent = min(leaver_age, adult.age_on(step.today) or leaver_age)
        for _ in range(step.pick(CHILD_COUNTS)):
            child = _relative(
                step,
                leaver,
                age=_child_age(step, youngest_parent),
                sex=step.rng.choice([Sex.MALE, Sex.FEMALE]),
                family_name=leaver.family_name if step.chance(0.6) else adult.family_name,
                result=result,
            )
            children.append(child)
            wishes = (
                YOUNG_CHILD_WISHES if (child.age_on(step.today) or 0) < 12 else OLDER_CHILD_WISHES
            )
            links.append((child, leaver, RelationshipKind.CHILD, step.pick(wishes)))
            links.append((adult, child, RelationshipKind.PARENT, ContactWishes.HAPPY))
        for i, child in enumerate(children):
            for sibling in children[i + 1 :]:
                links.append((child, sibling, RelationshipKind.SIBLING, ContactWishes.HAPPY))
        others.extend(children)

    if shape == "parent":
        parent = _relative(
            step,
            leaver,
            age=min(95, leaver_age + step.rng.randint(18, 35)),
            sex=Sex.FEMALE if step.chance(0.8) else Sex.MALE,
            family_name=leaver.family_name if step.chance(0.7) else None,
            result=result,
        )
        others.append(parent)
        links.append((parent, leaver, RelationshipKind.PARENT, step.pick(PARTNER_WISHES)))

    # Whoever the leaver would live with must not have asked for no contact.
    leaver_address = result.current_addresses.get(leaver.pk)
    head = others[0]
    head_wishes = links[0][3]
    lives_with = (
        shape != "children"
        and leaver_address is not None
        and leaver_address.kind == AddressKind.HOME
        and head_wishes != ContactWishes.NO_CONTACT
        and step.chance(0.75)
    )
    home = (
        leaver_address
        if lives_with and leaver_address is not None
        else identity.address(step, head, AddressKind.HOME, None)
    )
    household = Household(id=step.new_id(), name=f"{head.family_name} household, {home.town}")
    rows.households.append(household)

    current: set = set()
    for person in others:
        adult_child_elsewhere = (
            person in children and (person.age_on(step.today) or 0) >= 18 and step.chance(0.5)
        )
        if adult_child_elsewhere:
            rows.addresses.append(
                identity.address(step, person, AddressKind.HOME, step.days_ago(100, 2000))
            )
            continue
        joined = max(person.date_of_birth or date.min, step.days_ago(400, 4000))
        rows.members.append(_member(step, household, person, joined, None))
        rows.addresses.append(identity.copy_address(step, home, person, joined))
        current.add(person.pk)
    if lives_with and leaver_address is not None:
        rows.members.append(
            _member(step, household, leaver, leaver_address.from_date or step.today, None)
        )
        current.add(leaver.pk)
    elif shape != "parent":
        # They lived there before custody; the household keeps that history.
        left = step.days_ago(300, 2000)
        rows.members.append(_member(step, household, leaver, left - timedelta(days=900), left))

    # Each link reads "a is b's kind"; a Relationship row's kind is what the related person is
    # to the person, so b's row carries the kind and a's row its inverse.
    for a, b, kind, wishes_a in links:
        together = a.pk in current and b.pk in current
        wishes_b = _reply_wishes(step, b, leaver)
        inverse = RELATIONSHIP_INVERSE[RelationshipKind(kind)]
        rows.relationships.append(_relationship(step, a, b, inverse, together, wishes_a))
        rows.relationships.append(_relationship(step, b, a, kind, together, wishes_b))
    rows.people.extend(others)
    return Family(
        leaver=leaver,
        household=household,
        members=others,
        children=children,
        lives_with_leaver=lives_with,
    )


def _child_age(step: Step, parent_age: int) -> int:
    """Born when the parent was between 17 and 45; at most 28 now."""
    oldest = max(0, min(parent_age - 17, 28))
    return step.rng.randint(min(oldest, max(0, parent_age - 45)), oldest)


def _reply_wishes(step: Step, person: Person, leaver: Person) -> str:
    if person.pk == leaver.pk:
        return step.pick(LEAVER_WISHES)
    return step.pick({ContactWishes.HAPPY: 70.0, NOT_RECORDED: 30.0})


def _member(
    step: Step, household: Household, person: Person, joined: date, left: date | None
) -> HouseholdMember:
    return HouseholdMember(
        id=step.new_id(), household=household, person=person, joined_on=joined, left_on=left
    )


def _relationship(
    step: Step, person: Person, related: Person, kind: str, lives_with: bool, wishes: str
) -> Relationship:
    return Relationship(
        id=step.new_id(),
        person=person,
        related_person=related,
        kind=kind,
        lives_with=lives_with,
        contact_wishes=wishes,
    )
