"""People leaving prison: their records, identifiers, aliases, contact details and addresses,
and a few near-duplicate records made on purpose for the duplicate warning to find."""

from datetime import timedelta

from resettle.demo.generator import identity
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.demo.generator.namelists import FAMILY_NAME_SLIPS, GIVEN_NAME_SLIPS
from resettle.people.choices import NOT_RECORDED, PREFER_NOT_TO_SAY, AddressKind, NameKind, Sex
from resettle.people.models import Address, Identifier, Person, PersonName

SEX_WEIGHTS = {Sex.MALE: 84.0, Sex.FEMALE: 14.0, NOT_RECORDED: 1.2, PREFER_NOT_TO_SAY: 0.8}
# Ages at release: most people leaving prison are in their twenties to forties.
AGE_BANDS: dict[tuple[int, int], float] = {
    (18, 20): 5.0,
    (21, 24): 10.0,
    (25, 29): 15.0,
    (30, 39): 32.0,
    (40, 49): 22.0,
    (50, 59): 11.0,
    (60, 70): 5.0,
}
IDENTIFIER_COVERAGE = {"prison_number": 0.97, "crn": 0.88, "pnc": 0.85, "ni_number": 0.8}
CURRENT_ADDRESS_KINDS = {
    AddressKind.HOME: 55.0,
    AddressKind.TEMPORARY: 15.0,
    AddressKind.APPROVED_PREMISES: 10.0,
    AddressKind.NO_FIXED_ABODE: 12.0,
    AddressKind.OTHER: 3.0,
    "none": 5.0,
}


def create_people(result: DemoResult, count: int) -> None:
    step = Step(result, "people")
    taken = set(Identifier.objects.values_list("scheme", "value"))
    identifiers = identity.IdentifierMaker(step, taken)
    creator = result.users["probation"]
    people: list[Person] = []
    id_rows: list[Identifier] = []
    names: list[PersonName] = []
    addresses: list[Address] = []

    for _ in range(count):
        low, high = step.pick(AGE_BANDS)
        # A date of birth is very occasionally missing, as in real records.
        age = None if step.chance(0.01) else step.rng.randint(low, high)
        person = identity.new_person(
            step,
            age=age,
            sex=step.pick(SEX_WEIGHTS),
            ethnicity=step.pick(identity.ETHNICITY_WEIGHTS),
            created_by=creator,
        )
        identity.contact_details(step, person, phone=0.65, email=0.3)
        people.append(person)
        for scheme, coverage in IDENTIFIER_COVERAGE.items():
            if step.chance(coverage):
                id_rows.append(identifiers.make(person, scheme))
        names.extend(_other_names(step, person))
        addresses.extend(_addresses(step, person, result))

    identity.ensure_unknowns(step, people)
    duplicates = _near_duplicates(step, people, result)
    for _original, duplicate in duplicates:
        addresses.append(
            identity.address(step, duplicate, AddressKind.TEMPORARY, step.days_ago(5, 60))
        )
    result.leavers = people
    result.near_duplicates = duplicates

    for person in people + [d for _, d in duplicates]:
        person.set_search_keys()
    for name in names:
        name.set_search_keys()
    save_all(Person, people, "people leaving prison", result)
    save_all(Person, [d for _, d in duplicates], "near-duplicate records", result)
    save_all(Identifier, id_rows, "identifiers", result)
    save_all(PersonName, names, "other names", result)
    save_all(Address, addresses, "addresses", result)


def _other_names(step: Step, person: Person) -> list[PersonName]:
    names = []
    pool = identity.pool_for(step, person.ethnicity)
    if step.chance(0.1):
        names.append(
            PersonName(
                id=step.new_id(),
                person=person,
                kind=NameKind.ALIAS,
                given_name=identity.given_name(step, pool, person.sex),
                family_name=step.rng.choice(pool.family)
                if step.chance(0.5)
                else person.family_name,
            )
        )
    if person.sex == Sex.FEMALE and step.chance(0.25):
        previous = step.rng.choice(pool.family)
        if previous != person.family_name:
            names.append(
                PersonName(
                    id=step.new_id(),
                    person=person,
                    kind=NameKind.PREVIOUS,
                    given_name=person.given_name,
                    family_name=previous,
                )
            )
    if step.chance(0.04):
        names.append(
            PersonName(
                id=step.new_id(),
                person=person,
                kind=NameKind.KNOWN_AS,
                given_name=person.middle_names.split(" ")[0]
                if person.middle_names
                else identity.given_name(step, pool, person.sex),
                family_name=person.family_name,
            )
        )
    return names


def _addresses(step: Step, person: Person, result: DemoResult) -> list[Address]:
    kind = step.pick(CURRENT_ADDRESS_KINDS)
    if kind == "none":
        return []
    current = identity.address(step, person, kind, step.days_ago(3, 400))
    result.current_addresses[person.pk] = current
    rows = [current]
    if step.chance(0.3) and current.from_date:
        start = current.from_date - timedelta(days=step.rng.randint(200, 2000))
        previous = identity.address(step, person, AddressKind.HOME, start)
        # As `address_add` does: the old address ends the day the new one starts.
        previous.to_date = current.from_date
        rows.append(previous)
    return rows


def _slip(step: Step, person: Person) -> tuple[str, str]:
    """The same name as another service might type it: a variant spelling or two letters swapped."""
    if person.given_name in GIVEN_NAME_SLIPS:
        return GIVEN_NAME_SLIPS[person.given_name], person.family_name
    if person.family_name in FAMILY_NAME_SLIPS:
        return person.given_name, FAMILY_NAME_SLIPS[person.family_name]
    family = person.family_name
    at = step.rng.randint(1, len(family) - 3) if len(family) > 4 else 1
    swapped = family[:at] + family[at + 1] + family[at] + family[at + 2 :]
    return person.given_name, swapped


def _near_duplicates(
    step: Step, people: list[Person], result: DemoResult
) -> list[tuple[Person, Person]]:
    """A second record for the same person, as another service typed it (same date of birth)."""
    candidates = [p for p in people if p.date_of_birth and len(p.family_name) >= 4]
    if len(people) < 10 or not candidates:
        return []
    wanted = min(len(candidates), max(3, len(people) // 50))
    # Prefer names with a well-known variant spelling: they are what duplicates look like.
    candidates.sort(
        key=lambda p: (p.given_name not in GIVEN_NAME_SLIPS, p.family_name not in FAMILY_NAME_SLIPS)
    )
    preferred = candidates[: wanted * 3]
    chosen = step.rng.sample(preferred, wanted)
    pairs = []
    for original in chosen:
        given, family = _slip(step, original)
        duplicate = Person(
            id=step.new_id(),
            given_name=given,
            family_name=family,
            date_of_birth=original.date_of_birth,
            sex=original.sex,
            created_by=result.users["housing"],
        )
        identity.contact_details(step, duplicate, phone=0.5, email=0.0)
        pairs.append((original, duplicate))
    return pairs
