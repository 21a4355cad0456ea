"""Building blocks for fictional people: demographics, names, identifiers, contact details and
addresses, all drawn from one step's seeded stream and valid by Resettle's own validators."""

import string
from collections.abc import Callable
from datetime import date, timedelta

from resettle.accounts.models import User
from resettle.demo.generator import namelists as names
from resettle.demo.generator.context import Step
from resettle.lib.identifiers import normalise_identifier, pnc_check_letter
from resettle.lib.names import fold
from resettle.lib.postcodes import normalise_postcode
from resettle.people import choices
from resettle.people.choices import (
    NOT_RECORDED,
    PREFER_NOT_TO_SAY,
    AddressKind,
    Disability,
    Ethnicity,
    GenderIdentity,
    IdentifierScheme,
    Pronouns,
    Sex,
)
from resettle.people.models import Address, Identifier, Person

# Roughly the ethnic make-up of the prison population of England and Wales (MoJ Offender
# Management Statistics), with unknowns kept as their own values (DESIGN §5).
ETHNICITY_WEIGHTS: dict[str, float] = {
    Ethnicity.WHITE_BRITISH: 60.0,
    Ethnicity.WHITE_IRISH: 1.2,
    Ethnicity.WHITE_GYPSY_TRAVELLER: 1.2,
    Ethnicity.WHITE_ROMA: 0.3,
    Ethnicity.WHITE_OTHER: 7.0,
    Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: 2.5,
    Ethnicity.MIXED_WHITE_BLACK_AFRICAN: 0.6,
    Ethnicity.MIXED_WHITE_ASIAN: 0.6,
    Ethnicity.MIXED_OTHER: 1.0,
    Ethnicity.ASIAN_PAKISTANI: 3.0,
    Ethnicity.ASIAN_BANGLADESHI: 1.0,
    Ethnicity.ASIAN_INDIAN: 1.0,
    Ethnicity.ASIAN_CHINESE: 0.2,
    Ethnicity.ASIAN_OTHER: 2.0,
    Ethnicity.BLACK_AFRICAN: 4.5,
    Ethnicity.BLACK_CARIBBEAN: 5.0,
    Ethnicity.BLACK_OTHER: 2.5,
    Ethnicity.OTHER_ARAB: 0.6,
    Ethnicity.OTHER_ANY: 1.2,
    NOT_RECORDED: 3.0,
    PREFER_NOT_TO_SAY: 1.0,
}

# Which names fit which background; a person of mixed heritage may take from either.
NAME_POOLS: dict[str, tuple[names.NamePool, ...]] = {
    Ethnicity.WHITE_BRITISH: (names.BRITISH,),
    Ethnicity.WHITE_IRISH: (names.IRISH,),
    Ethnicity.WHITE_GYPSY_TRAVELLER: (names.IRISH, names.BRITISH),
    Ethnicity.WHITE_ROMA: (names.EASTERN_EUROPEAN,),
    Ethnicity.WHITE_OTHER: (names.EASTERN_EUROPEAN,),
    Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: (names.BRITISH, names.CARIBBEAN),
    Ethnicity.MIXED_WHITE_BLACK_AFRICAN: (names.BRITISH, names.AFRICAN),
    Ethnicity.MIXED_WHITE_ASIAN: (names.BRITISH, names.SOUTH_ASIAN),
    Ethnicity.MIXED_OTHER: (names.BRITISH, names.ARAB),
    Ethnicity.ASIAN_PAKISTANI: (names.SOUTH_ASIAN,),
    Ethnicity.ASIAN_BANGLADESHI: (names.SOUTH_ASIAN,),
    Ethnicity.ASIAN_INDIAN: (names.INDIAN,),
    Ethnicity.ASIAN_CHINESE: (names.CHINESE,),
    Ethnicity.ASIAN_OTHER: (names.INDIAN, names.SOUTH_ASIAN),
    Ethnicity.BLACK_AFRICAN: (names.AFRICAN,),
    Ethnicity.BLACK_CARIBBEAN: (names.CARIBBEAN,),
    Ethnicity.BLACK_OTHER: (names.CARIBBEAN, names.AFRICAN),
    Ethnicity.OTHER_ARAB: (names.ARAB,),
    Ethnicity.OTHER_ANY: (names.ARAB, names.EASTERN_EUROPEAN),
    NOT_RECORDED: (names.BRITISH,),
    PREFER_NOT_TO_SAY: (names.BRITISH,),
}

DISABILITY_WEIGHTS: dict[str, float] = {
    Disability.NO: 52.0,
    Disability.YES_A_LITTLE: 16.0,
    Disability.YES_A_LOT: 10.0,
    NOT_RECORDED: 17.0,
    PREFER_NOT_TO_SAY: 5.0,
}

NI_FIRST = [c for c in string.ascii_uppercase if c not in "DFIQUV"]
NI_SECOND = [c for c in string.ascii_uppercase if c not in "DFIOQUV"]
NI_NEVER_ISSUED = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
POSTCODE_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def date_of_birth(step: Step, age: int) -> date:
    """A birthday giving exactly `age` years on the step's reference date."""
    year = step.today.year - age
    try:
        latest = step.today.replace(year=year)
    except ValueError:  # 29 February, in a year without one
        latest = date(year, 2, 28)
    return latest - timedelta(days=step.rng.randint(0, 364))


def gender_fields(step: Step, sex: str, adult: bool) -> dict[str, str]:
    """Gender identity and pronouns, recorded separately from sex (ONS 2021 question)."""
    if sex in (Sex.MALE, Sex.FEMALE) and adult:
        identity = step.pick(
            {
                GenderIdentity.SAME_AS_SEX: 87.0,
                NOT_RECORDED: 8.0,
                PREFER_NOT_TO_SAY: 2.0,
                GenderIdentity.WOMAN if sex == Sex.MALE else GenderIdentity.MAN: 1.5,
                GenderIdentity.NON_BINARY: 1.0,
                GenderIdentity.OTHER: 0.5,
            }
        )
    else:
        identity = NOT_RECORDED
    fields = {"gender_identity": identity}
    if identity == GenderIdentity.OTHER:
        fields["gender_identity_description"] = step.rng.choice(names.GENDER_IDENTITY_DESCRIPTIONS)
    presenting_by_identity: dict[str, Pronouns] = {
        GenderIdentity.WOMAN: Pronouns.SHE,
        GenderIdentity.MAN: Pronouns.HE,
        GenderIdentity.NON_BINARY: Pronouns.THEY,
        GenderIdentity.OTHER: Pronouns.THEY,
    }
    presenting_by_sex: dict[str, Pronouns] = {Sex.MALE: Pronouns.HE, Sex.FEMALE: Pronouns.SHE}
    presenting = presenting_by_identity.get(identity) or presenting_by_sex.get(sex)
    if presenting is None or not adult:
        fields["pronouns"] = NOT_RECORDED
    else:
        fields["pronouns"] = step.pick(
            {presenting: 70.0, NOT_RECORDED: 27.0, PREFER_NOT_TO_SAY: 3.0}
        )
    return fields


def pool_for(step: Step, ethnicity: str) -> names.NamePool:
    return step.rng.choice(NAME_POOLS[ethnicity])


def given_name(step: Step, pool: names.NamePool, sex: str) -> str:
    if sex == Sex.MALE:
        return step.rng.choice(pool.male)
    if sex == Sex.FEMALE:
        return step.rng.choice(pool.female)
    return step.rng.choice(pool.male + pool.female)


def new_person(
    step: Step,
    *,
    age: int | None,
    sex: str,
    ethnicity: str,
    family_name: str | None = None,
    created_by: User | None = None,
) -> Person:
    """A person with names that fit their background; the caller adds the rest."""
    pool = pool_for(step, ethnicity)
    adult = age is None or age >= 16
    person = Person(
        id=step.new_id(),
        given_name=given_name(step, pool, sex),
        # Drawn from the pools again: a person of mixed heritage may have names from both.
        family_name=family_name or step.rng.choice(pool_for(step, ethnicity).family),
        date_of_birth=None if age is None else date_of_birth(step, age),
        sex=sex,
        ethnicity=ethnicity,
        disability=step.pick(DISABILITY_WEIGHTS),
        created_by=created_by,
        **gender_fields(step, sex, adult),
    )
    if step.chance(0.35):
        middle = given_name(step, pool, sex)
        if middle != person.given_name:
            person.middle_names = middle
    nicknames = names.NICKNAMES.get(person.given_name)
    if nicknames and step.chance(0.45):
        person.preferred_name = step.rng.choice(nicknames)
    return person


def contact_details(step: Step, person: Person, *, phone: float, email: float) -> None:
    """Ofcom's numbers reserved for drama (never connected) and example.org addresses."""
    if step.chance(phone):
        person.phone = f"07700 900{step.rng.randint(0, 999):03d}"
    if step.chance(email):
        local = f"{fold(person.given_name)}.{fold(person.family_name)}{step.rng.randint(1, 99)}"
        person.email = f"{local}@example.org"


class IdentifierMaker:
    """Unique, valid identifiers of each scheme. `taken` starts with any already in the
    database, so a demo added beside real records never collides with them."""

    def __init__(self, step: Step, taken: set[tuple[str, str]]) -> None:
        self.step = step
        self.taken = taken

    def make(self, person: Person, scheme: str) -> Identifier:
        makers: dict[str, Callable[[], str]] = {
            IdentifierScheme.PRISON_NUMBER: self._prison_number,
            IdentifierScheme.CRN: self._crn,
            IdentifierScheme.PNC: lambda: self._pnc(person),
            IdentifierScheme.NI_NUMBER: self._ni_number,
        }
        raw = makers[scheme]
        while True:
            value = normalise_identifier(scheme, raw())
            if (scheme, value) not in self.taken:
                self.taken.add((scheme, value))
                return Identifier(id=self.step.new_id(), person=person, scheme=scheme, value=value)

    def _digits(self, count: int) -> str:
        return "".join(self.step.rng.choice(string.digits) for _ in range(count))

    def _letters(self, count: int) -> str:
        return "".join(self.step.rng.choice(string.ascii_uppercase) for _ in range(count))

    def _prison_number(self) -> str:
        # Current HMPPS numbers start with A or G.
        return f"{self.step.rng.choice('AG')}{self._digits(4)}{self._letters(2)}"

    def _crn(self) -> str:
        return f"{self._letters(1)}{self._digits(6)}"

    def _pnc(self, person: Person) -> str:
        # The custody step dates it again if the person's first custody came before this year.
        year = self.step.rng.randint(earliest_pnc_year(self.step, person), self.step.today.year)
        return pnc_id(self.step, year)

    def _ni_number(self) -> str:
        while True:
            prefix = self.step.rng.choice(NI_FIRST) + self.step.rng.choice(NI_SECOND)
            if prefix not in NI_NEVER_ISSUED:
                break
        return f"{prefix}{self._digits(6)}{self.step.rng.choice('ABCD')}"


def earliest_pnc_year(step: Step, person: Person) -> int:
    """A PNC record is made at a person's first arrest: at the earliest, their 14th birthday."""
    born = person.date_of_birth.year if person.date_of_birth else step.today.year - 30
    return max(born + 14, 1990)


def pnc_id(step: Step, year: int) -> str:
    serial = f"{step.rng.randint(1, 9_999_999):07d}"
    return f"{year}/{serial}{pnc_check_letter(str(year), serial)}"


def adult_from(person: Person) -> date | None:
    """The day the person turns 18 (1 March for a 29 February birthday, as `age_on` counts)."""
    born = person.date_of_birth
    if born is None:
        return None
    try:
        return born.replace(year=born.year + 18)
    except ValueError:
        return date(born.year + 18, 3, 1)


def postcode(step: Step, area: str) -> str:
    inward = (
        str(step.rng.randint(1, 9))
        + step.rng.choice(POSTCODE_INWARD_LETTERS)
        + step.rng.choice(POSTCODE_INWARD_LETTERS)
    )
    return normalise_postcode(f"{area}{step.rng.randint(1, 19)}{inward}")


def address(step: Step, person: Person, kind: str, from_date: date | None) -> Address:
    """An address of `kind` in a fictional North Vale town."""
    town, area = step.rng.choice(names.TOWNS)
    row = Address(id=step.new_id(), person=person, kind=kind, town=town, from_date=from_date)
    if kind == AddressKind.NO_FIXED_ABODE:
        row.town = town if step.chance(0.6) else ""
        return row
    street = f"{step.rng.randint(1, 180)} {step.rng.choice(names.STREETS)}"
    if kind == AddressKind.APPROVED_PREMISES:
        row.line_1 = step.rng.choice(names.APPROVED_PREMISES)
        row.line_2 = street
    elif kind == AddressKind.TEMPORARY:
        row.line_1 = f"Room {step.rng.randint(1, 24)}, {step.rng.choice(names.HOSTELS)}"
        row.line_2 = street
    elif step.chance(0.25):
        row.line_1 = f"Flat {step.rng.randint(1, 40)}"
        row.line_2 = street
    else:
        row.line_1 = street
    row.postcode = postcode(step, area)
    return row


def copy_address(step: Step, source: Address, person: Person, from_date: date | None) -> Address:
    return Address(
        id=step.new_id(),
        person=person,
        kind=source.kind,
        line_1=source.line_1,
        line_2=source.line_2,
        town=source.town,
        postcode=source.postcode,
        from_date=from_date,
    )


UNKNOWN_VALUES = (NOT_RECORDED, PREFER_NOT_TO_SAY)
CODED_FIELDS = {
    "sex": choices.Sex,
    "gender_identity": choices.GenderIdentity,
    "pronouns": choices.Pronouns,
    "ethnicity": choices.Ethnicity,
    "disability": choices.Disability,
}


def ensure_unknowns(step: Step, people: list[Person]) -> None:
    """Reports must show "not recorded" and "prefer not to say" as rows (DESIGN §5), so every
    coded field has both values somewhere, even in a small demo."""
    if len(people) < 2:
        return
    for field in CODED_FIELDS:
        for value in UNKNOWN_VALUES:
            if any(getattr(p, field) == value for p in people):
                continue
            # Only overwrite a known value, so one unknown never replaces the other.
            known = [
                p
                for p in people
                if getattr(p, field) not in UNKNOWN_VALUES and not p.gender_identity_description
            ]
            if known:
                setattr(step.rng.choice(known), field, value)
