"""One chunk of the national-scale data set: people leaving prison with their families,
households, addresses, identifiers, custody histories (recalls included), the cases partners
open with them, the referrals behind those cases, and contacts over years of history.

Each chunk draws from its own seeded stream, so the data depend on the seed and the chunk size
only. Rows are tuples in the order of `TABLES` (see tables.py for the value formats).
"""

import json
import random
from bisect import bisect
from datetime import date
from enum import Enum
from functools import cache
from itertools import accumulate
from math import sqrt

from resettle.access.categories import Category
from resettle.cases.models import Case, CaseEvent, Task
from resettle.consent.models import Consent
from resettle.contacts.models import Contact
from resettle.core.pathways import Pathway
from resettle.custody.models import CustodyEvent, CustodyPeriod
from resettle.demo.generator import identity
from resettle.demo.generator import namelists as names
from resettle.demo.generator.consents import LEAVER_KINDS
from resettle.demo.generator.people import AGE_BANDS, SEX_WEIGHTS
from resettle.demo.generator.scale.tables import Table
from resettle.demo.generator.scale.world import World
from resettle.lib.identifiers import pnc_check_letter
from resettle.lib.names import fold, letters_key, name_key
from resettle.people.choices import (
    NOT_RECORDED,
    PREFER_NOT_TO_SAY,
    AddressKind,
    RelationshipKind,
    Sex,
)
from resettle.people.models import (
    Address,
    Household,
    HouseholdMember,
    Identifier,
    Person,
    PersonName,
    Relationship,
    WorkingRelationship,
)
from resettle.referrals.models import Referral, ReferralTransition

TABLES: dict[str, Table] = {
    "person": Table(
        Person,
        (
            "id",
            "given_name",
            "middle_names",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "gender_identity",
            "pronouns",
            "ethnicity",
            "disability",
            "phone",
            "email",
            "given_key",
            "family_key",
            "family_letters",
            "created_by",
            "created_at",
            "updated_at",
        ),
    ),
    "name": Table(
        PersonName,
        (
            "id",
            "person",
            "kind",
            "given_name",
            "family_name",
            "given_key",
            "family_key",
            "family_letters",
            "created_at",
            "updated_at",
        ),
    ),
    "identifier": Table(
        Identifier, ("id", "person", "scheme", "value", "created_at", "updated_at")
    ),
    "address": Table(
        Address,
        (
            "id",
            "person",
            "kind",
            "line_1",
            "line_2",
            "town",
            "postcode",
            "from_date",
            "to_date",
            "created_at",
            "updated_at",
        ),
    ),
    "household": Table(Household, ("id", "name", "created_at", "updated_at")),
    "member": Table(
        HouseholdMember, ("id", "household", "person", "joined_on", "created_at", "updated_at")
    ),
    "relationship": Table(
        Relationship,
        (
            "id",
            "person",
            "related_person",
            "kind",
            "lives_with",
            "contact_wishes",
            "created_at",
            "updated_at",
        ),
    ),
    "consent": Table(
        Consent,
        (
            "id",
            "person",
            "categories",
            "organisation_kinds",
            "method",
            "given_by",
            "given_on",
            "expires_on",
            "withdrawn_on",
            "recorded_by",
            "recorded_by_organisation",
            "created_at",
            "updated_at",
        ),
    ),
    "custody": Table(
        CustodyPeriod,
        (
            "id",
            "person",
            "kind",
            "start_date",
            "establishment",
            "expected_release_date",
            "conditional_release_date",
            "licence_end_date",
            "released_on",
            "release_type",
            "recalled_on",
            "recall_reason",
            "ended_on",
            "recorded_by",
            "created_at",
            "updated_at",
        ),
    ),
    "custody_event": Table(
        CustodyEvent,
        (
            "id",
            "period",
            "kind",
            "on",
            "release_type",
            "recall_reason",
            "establishment",
            "recorded_by",
            "created_at",
            "updated_at",
        ),
    ),
    "referral": Table(
        Referral,
        (
            "id",
            "person",
            "service",
            "referring_organisation",
            "referred_by",
            "state",
            "reason",
            "pathway",
            "urgency",
            "decline_reason",
            "submitted_at",
            "first_response_at",
            "decided_at",
            "started_at",
            "ended_at",
            "waiting_since",
            "created_at",
            "updated_at",
        ),
    ),
    "transition": Table(
        ReferralTransition,
        (
            "id",
            "referral",
            "from_state",
            "to_state",
            "by",
            "organisation",
            "created_at",
            "updated_at",
        ),
    ),
    "case": Table(
        Case,
        (
            "id",
            "person",
            "organisation",
            "state",
            "worker",
            "mentor",
            "referral",
            "opened_on",
            "closed_on",
            "close_reason",
            "next_review_on",
            "pause_reason",
            "created_at",
            "updated_at",
        ),
    ),
    "case_event": Table(CaseEvent, ("id", "case", "kind", "on", "by", "created_at", "updated_at")),
    "task": Table(
        Task,
        (
            "id",
            "case",
            "kind",
            "title",
            "due_at",
            "place",
            "pathway",
            "assigned_to",
            "created_at",
            "updated_at",
        ),
    ),
    "working": Table(
        WorkingRelationship,
        (
            "id",
            "person",
            "organisation",
            "started_on",
            "ended_on",
            "allocated_to",
            "created_at",
            "updated_at",
        ),
    ),
    "contact": Table(
        Contact,
        (
            "id",
            "person",
            "case",
            "organisation",
            "recorded_by",
            "kind",
            "happened_at",
            "outcome",
            "cancelled_by",
            "duration_minutes",
            "pathways",
            "created_at",
            "updated_at",
        ),
    ),
}
# Load order: every foreign key points at a table loaded earlier (or at the same table).
LOAD_ORDER = (
    "person", "name", "identifier", "address", "household", "member", "relationship",
    "consent", "custody", "custody_event", "referral", "transition", "case", "case_event",
    "task", "working", "contact",
)  # fmt: skip

MALE, FEMALE = Sex.MALE.value, Sex.FEMALE.value
PARTNER, PARENT, CHILD = (
    RelationshipKind.PARTNER.value,
    RelationshipKind.PARENT.value,
    RelationshipKind.CHILD.value,
)
HOME = AddressKind.HOME.value
MENTORING = Pathway.MENTORING.value
# Ids in the UUIDv7 layout: 48 bits that only grow (the chunk, then a counter within it),
# then seeded random bits. A table then fills its primary-key index at the right-hand edge,
# which is several times quicker for a bulk load than random UUIDv4 keys.
UUID_V7 = (0x7 << 76) | (0x2 << 62)
UUID_RANDOM = ((1 << 80) - 1) & ~((0xF << 76) | (0x3 << 62))
IDS_PER_CHUNK = 1 << 27


class Picker:
    """A weighted choice from a fixed list, by bisection: far quicker than random.choices."""

    def __init__(self, weighted) -> None:
        items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
        # Plain values: the database drivers want str, not Django's choice enums.
        self.values = [v.value if isinstance(v, Enum) else v for v, _ in items]
        self.cum = list(accumulate(w for _, w in items))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect(self.cum, rng.random() * self.total)]


def _frequency(values: tuple[str, ...]) -> Picker:
    """Names in each list are roughly in order of frequency: a Zipf-like fall-off."""
    return Picker({v: 1.0 / (rank + 4) ** 0.9 for rank, v in enumerate(values)})


class GivenNames:
    """Given names: the pool's commonest, and for some people (`tail_share`) one of many rarer
    names, each about as common as the others."""

    def __init__(self, head: tuple[str, ...], tail: tuple[str, ...], tail_share: float) -> None:
        self.head = _frequency(head)
        weights = {v: 1.0 / (rank + 20) ** 0.5 for rank, v in enumerate(tail)}
        self.tail = Picker(weights) if tail else None
        self.tail_share = tail_share if tail else 0.0

    def __call__(self, rng: random.Random) -> str:
        if self.tail is not None and rng.random() < self.tail_share:
            return self.tail(rng)
        return self.head(rng)


class FamilyNames:
    """Family names with the long tail of a real population: the commonest names of the pool
    for some people, and for the rest (in Britain the hundred commonest names cover under a
    fifth of people) names from the tail, where each is rare. At a million people Smith is
    about one in a hundred, as in England and Wales, rather than one in twenty."""

    def __init__(self, head: tuple[str, ...], tail: tuple[str, ...], tail_share: float) -> None:
        self.head = _frequency(head)
        # Rare, every one: a gentle fall-off, the commonest a few times the rarest.
        weights = {v: 1.0 / (rank + 100) ** 0.5 for rank, v in enumerate(tail)}
        self.tail = Picker(weights) if tail else None
        self.tail_share = tail_share if tail else 0.0

    def __call__(self, rng: random.Random) -> str:
        if rng.random() < DOUBLE_BARRELLED:
            return f"{self._one(rng)}-{self._one(rng)}"
        return self._one(rng)

    def _one(self, rng: random.Random) -> str:
        if rng.random() < self.tail_share and self.tail is not None:
            return self.tail(rng)
        return self.head(rng)


# British and Irish family names beyond the commonest: place and trade names made of the parts
# such names are made of (Ashworth, Bradley, Thornton), shuffled so frequency does not follow
# the alphabet.
_STEMS = (
    "Ash", "Ather", "Bar", "Bent", "Black", "Brad", "Bram", "Brook", "Burn", "Cal", "Carl",
    "Chad", "Chat", "Clay", "Cot", "Crom", "Dal", "Dar", "Den", "Dun", "East", "Eld", "Fair",
    "Farn", "Fen", "Gar", "Gold", "Green", "Ham", "Har", "Hart", "Hay", "Hol", "Hum", "Kel",
    "Ken", "Kings", "Lang", "Lath", "Lind", "Mar", "Mid", "Mill", "Nor", "Oak", "Pem", "Pen",
    "Ram", "Red", "Ross", "Rud", "Sand", "Shel", "Stan", "Stock", "Sut", "Thorn", "Tun", "Wake",
    "Wal", "Wes", "Whit", "Wil", "Win", "Wor", "Yar",
)  # fmt: skip
_ENDINGS = (
    "by", "bridge", "brook", "bury", "combe", "croft", "dale", "den", "don", "field", "ford",
    "gate", "grave", "ham", "hill", "hurst", "ing", "land", "ley", "low", "man", "mere", "more",
    "ridge", "shaw", "stead", "stone", "thorpe", "ton", "well", "wick", "win", "wood", "worth",
)  # fmt: skip
BRITISH_TAIL = tuple(
    random.Random(2026).sample([stem + ending for stem in _STEMS for ending in _ENDINGS], k=2000)
)
TAIL_SHARE = 0.8
GIVEN_TAIL_SHARE = 0.3


def british(pool: names.NamePool) -> bool:
    return pool in (names.BRITISH, names.IRISH)


DOUBLE_BARRELLED = 0.02


# Where people live: the demo's fictional North Vale, and a few real regions by postcode area.
REGIONS: tuple[tuple[float, tuple[tuple[str, str], ...]], ...] = (
    (35.0, names.TOWNS),
    (16.0, (("Manchester", "M"), ("Salford", "M"), ("Bolton", "BL"), ("Liverpool", "L"))),
    (15.0, (("Leeds", "LS"), ("Bradford", "BD"), ("Sheffield", "S"), ("Hull", "HU"))),
    (14.0, (("Birmingham", "B"), ("Coventry", "CV"), ("Wolverhampton", "WV"))),
    (12.0, (("London", "E"), ("London", "SE"), ("London", "N"))),
    (8.0, (("Cardiff", "CF"), ("Swansea", "SA"))),
)
ESTABLISHMENTS = (
    "HMP Ashcombe",
    "HMP Greystone",
    "HMP Harrowfield",
    "HMP Kestrel Moor",
    "HMP Ravensworth",
    "HMP Longridge",
    "HMP Foxley",
    "HMYOI Brackenfield",
)
WOMENS_ESTABLISHMENTS = ("HMP Willowbank", "HMP Larkhill")
# Days actually served in custody: many short sentences, a long tail of long ones.
SERVED = Picker({(14, 90): 25.0, (91, 365): 35.0, (366, 900): 25.0, (901, 2500): 15.0})
# Earlier custody periods before the latest one.
EARLIER_PERIODS = Picker({0: 50.0, 1: 24.0, 2: 13.0, 3: 8.0, 5: 5.0})
RECALL_REASONS = Picker(
    {"breach_of_conditions": 50.0, "out_of_touch": 20.0, "further_offence": 20.0,
     "risk_escalation": 7.0, "other": 3.0}
)  # fmt: skip
CLOSE_REASONS = Picker(
    {"goals_met": 40.0, "moved_on": 20.0, "disengaged": 22.0, "moved_away": 8.0,
     "person_asked": 6.0, "other": 4.0}
)  # fmt: skip
DECLINE_REASONS = Picker(
    {"not_eligible": 20.0, "no_capacity": 25.0, "unsuitable": 10.0, "person_declined": 20.0,
     "unable_to_contact": 20.0, "duplicate": 5.0}
)  # fmt: skip
CONTACT_OUTCOME = Picker({"attended": 74.0, "did_not_attend": 16.0, "cancelled": 10.0})
CANCELLED_BY = Picker({"person": 50.0, "worker": 35.0, "other": 15.0})
CONTACT_KINDS = {
    "probation": Picker({"face_to_face": 70.0, "phone": 25.0, "video": 5.0}),
    "prison": Picker({"custody_visit": 90.0, "phone": 10.0}),
    "mentoring": Picker({"face_to_face": 45.0, "phone": 30.0, "text": 25.0}),
    "trust_millbrook": Picker({"session": 85.0, "face_to_face": 15.0}),
    "trust_ashcombe": Picker({"session": 85.0, "face_to_face": 15.0}),
    "trust_eastgate": Picker({"session": 85.0, "face_to_face": 15.0}),
}
DEFAULT_KINDS = Picker({"face_to_face": 55.0, "phone": 30.0, "text": 10.0, "video": 5.0})
# Contact pathways: a few precomputed JSON lists per organisation.
ORG_PATHWAYS = {
    "probation": (Pathway.ATTITUDES_BEHAVIOUR, Pathway.ACCOMMODATION, Pathway.DRUGS_ALCOHOL),
    "prison": (Pathway.ACCOMMODATION, Pathway.FINANCE_BENEFIT_ID),
    "lead": (Pathway.ACCOMMODATION, Pathway.FINANCE_BENEFIT_ID, Pathway.HEALTH,
             Pathway.DRUGS_ALCOHOL, Pathway.EDUCATION_EMPLOYMENT),
    "mentoring": (Pathway.MENTORING, Pathway.ATTITUDES_BEHAVIOUR),
    "trust_millbrook": (Pathway.SPORT, Pathway.EDUCATION_EMPLOYMENT),
    "trust_ashcombe": (Pathway.SPORT, Pathway.HEALTH),
    "trust_eastgate": (Pathway.SPORT,),
    "housing": (Pathway.ACCOMMODATION,),
    "family": (Pathway.CHILDREN_FAMILIES,),
    "womens": (Pathway.HEALTH, Pathway.ACCOMMODATION, Pathway.CHILDREN_FAMILIES),
    "dwp": (Pathway.FINANCE_BENEFIT_ID, Pathway.EDUCATION_EMPLOYMENT),
}  # fmt: skip
ORG_CONTACT_JSON = {
    org: [json.dumps([p]) for p in paths] + [json.dumps(list(paths[:2]))] + ["[]"]
    for org, paths in ORG_PATHWAYS.items()
}
# Partner organisations a person is referred to, with the chance for a person leaving prison.
PARTNER_SHARES = {
    "mentoring": 0.22,
    "trust_millbrook": 0.035,
    "trust_ashcombe": 0.025,
    "trust_eastgate": 0.025,
    "housing": 0.14,
    "dwp": 0.2,
}
# Days before release a case opens (negative: after), and how long support lasts.
CASE_TIMING = {
    "probation": (56, (180, 730)),
    "prison": (84, (90, 100)),
    "lead": (42, (120, 540)),
    "mentoring": (56, (90, 365)),
    "trust_millbrook": (-21, (60, 300)),
    "trust_ashcombe": (-21, (60, 300)),
    "trust_eastgate": (-21, (60, 300)),
    "housing": (-7, (90, 700)),
    "womens": (28, (90, 500)),
    "dwp": (28, (60, 400)),
    "family": (0, (120, 600)),
}
# The contact rate falls off as 1/sqrt(days since the case opened + FALL_OFF_DAYS).
FALL_OFF_DAYS = 30
SQRT_FALL_OFF = sqrt(FALL_OFF_DAYS)
# Relative contact rate by organisation.
CONTACT_WEIGHT = {
    "probation": 3.0,
    "prison": 2.0,
    "lead": 3.0,
    "mentoring": 4.0,
    "trust_millbrook": 2.5,
    "trust_ashcombe": 2.5,
    "trust_eastgate": 2.5,
    "housing": 1.5,
    "womens": 3.0,
    "dwp": 1.0,
    "family": 2.0,
}
REASONS: dict[str, str] = {
    Pathway.ACCOMMODATION: "Needs somewhere to live on release; has no tenancy to return to.",
    Pathway.MENTORING: "Would like a mentor with lived experience to meet at the gate.",
    Pathway.SPORT: "Keen on football and wants structure to the week after release.",
    Pathway.EDUCATION_EMPLOYMENT: "Wants training towards work in construction or coaching.",
    Pathway.FINANCE_BENEFIT_ID: "Needs ID and a benefit claim ready for release day.",
    Pathway.CHILDREN_FAMILIES: "The family would like support while contact is rebuilt.",
    Pathway.HEALTH: "Needs help registering with a GP and attending appointments.",
    Pathway.DRUGS_ALCOHOL: "Asked for support to stay off drugs after release.",
    Pathway.ATTITUDES_BEHAVIOUR: "Supervision on licence.",
}
LEAVER_CATEGORIES = json.dumps(
    [Category.CONTACT, Category.CUSTODY, Category.RISK_SUITABILITY, Category.FAMILY_CHILDREN,
     Category.CASE_NOTES, Category.OUTCOMES, Category.HEALTH, Category.SUBSTANCE_USE]
)  # fmt: skip
LEAVER_CATEGORIES_NO_HEALTH = json.dumps(
    [Category.CONTACT, Category.CUSTODY, Category.RISK_SUITABILITY, Category.FAMILY_CHILDREN,
     Category.CASE_NOTES, Category.OUTCOMES]
)  # fmt: skip
RELATIVE_CATEGORIES = json.dumps(
    [Category.CONTACT, Category.FAMILY_CHILDREN, Category.CASE_NOTES, Category.OUTCOMES]
)
LEAVER_KINDS_JSON = json.dumps(list(LEAVER_KINDS))
RELATIVE_KINDS_JSON = json.dumps(["family_support"])
CONSENT_METHOD = Picker({"written": 50.0, "verbal": 30.0, "digital": 20.0})
CURRENT_ADDRESS = Picker(
    {AddressKind.HOME: 55.0, AddressKind.TEMPORARY: 15.0, AddressKind.APPROVED_PREMISES: 10.0,
     AddressKind.NO_FIXED_ABODE: 12.0, AddressKind.OTHER: 3.0, None: 5.0}
)  # fmt: skip
POOLS = {eth: pools for eth, pools in identity.NAME_POOLS.items()}
NAME_PICKERS = {
    id(pool): (
        GivenNames(pool.male, names.BRITISH_MALE_TAIL if british(pool) else (), GIVEN_TAIL_SHARE),
        GivenNames(
            pool.female, names.BRITISH_FEMALE_TAIL if british(pool) else (), GIVEN_TAIL_SHARE
        ),
        FamilyNames(pool.family, BRITISH_TAIL if british(pool) else (), TAIL_SHARE),
    )
    for pools in POOLS.values()
    for pool in pools
}
ETHNICITY = Picker(identity.ETHNICITY_WEIGHTS)
DISABILITY = Picker(identity.DISABILITY_WEIGHTS)
SEX = Picker(SEX_WEIGHTS)
AGE = Picker(AGE_BANDS)
CHILDREN = Picker({0: 30.0, 1: 30.0, 2: 25.0, 3: 15.0})
REGION = Picker([(towns, w) for w, towns in REGIONS])
NI_PREFIXES = [
    a + b
    for a in identity.NI_FIRST
    for b in identity.NI_SECOND
    if a + b not in identity.NI_NEVER_ISSUED
]
INWARD = identity.POSTCODE_INWARD_LETTERS
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Identifier spaces, walked by an affine permutation so values are unique without a lookup.
PRISON_SPACE = 2 * 10_000 * 26 * 26
CRN_SPACE = 26 * 1_000_000
PNC_SPACE = 10_000_000
NI_SPACE = len(NI_PREFIXES) * 1_000_000
STRIDE = 9_999_991  # a prime dividing none of the spaces


@cache
def _keys(given: str, family: str) -> tuple[str, str, str]:
    return name_key(given), name_key(family), letters_key(family)


@cache
def _folded(value: str) -> str:
    return fold(value)


class Chunk:
    """Generate one chunk: `leaver_cap` is the most leavers it may hold (so identifiers of
    different chunks never collide), `person_budget` the most people (leavers and family)."""

    def __init__(
        self,
        world: World,
        *,
        seed: int,
        index: int,
        leaver_cap: int,
        person_budget: int,
        contact_rate: float,
        today: date,
        tz: str,
        taken: set[tuple[str, str]],
    ) -> None:
        self.world = world
        self.rng = random.Random(f"resettle-scale:{seed}:{index}")
        self.offsets = random.Random(f"resettle-scale:{seed}:identifiers")
        self.index = index
        self.leaver_cap = leaver_cap
        self.person_budget = person_budget
        self.contact_rate = contact_rate
        self.today = today
        self.today_ord = today.toordinal()
        self.tz = tz
        self.taken = taken
        self.now = f"{today.isoformat()} 06:00:00{tz}"
        self.rows: dict[str, list[tuple]] = {name: [] for name in TABLES}
        # The ids' first 48 bits: a base from the seed, then this chunk's range.
        base = random.Random(f"resettle-scale:{seed}:ids").getrandbits(40) << 7
        self.sequence = base + index * IDS_PER_CHUNK
        self.people = 0
        self.leavers = 0
        self._day_cache: dict[int, str] = {}
        self._offset = {
            scheme: self.offsets.randrange(space)
            for scheme, space in (
                ("prison_number", PRISON_SPACE),
                ("crn", CRN_SPACE),
                ("pnc", PNC_SPACE),
                ("ni_number", NI_SPACE),
            )
        }

    # Small helpers --------------------------------------------------------------------------

    def new_id(self) -> str:
        self.sequence += 1
        return "%032x" % (
            (self.sequence << 80) | (self.rng.getrandbits(80) & UUID_RANDOM) | UUID_V7
        )

    def day(self, ordinal: int) -> str:
        text = self._day_cache.get(ordinal)
        if text is None:
            text = date.fromordinal(ordinal).isoformat()
            self._day_cache[ordinal] = text
        return text

    def at(self, ordinal: int, minute: int) -> str:
        return f"{self.day(ordinal)} {minute // 60:02d}:{minute % 60:02d}:00{self.tz}"

    def between(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    # The chunk ------------------------------------------------------------------------------

    def run(self) -> "Chunk":
        while self.leavers < self.leaver_cap and self.people < self.person_budget:
            self.leaver(self.index * self.leaver_cap + self.leavers)
            self.leavers += 1
        return self

    def person(
        self,
        *,
        age_days: int | None,
        sex: str,
        ethnicity: str,
        family_name: str | None,
        created_by: int,
        adult: bool,
        taken: set[str] | None = None,
    ) -> tuple[str, str, str]:
        """A person row. `taken`: given names already in the household, which parents do not
        give a second child (a few tries, then any name)."""
        rng = self.rng
        pool = POOLS[ethnicity][int(rng.random() * len(POOLS[ethnicity]))]
        male, female, _ = NAME_PICKERS[id(pool)]
        for _ in range(8):
            if sex == MALE:
                given = male(rng)
            elif sex == FEMALE:
                given = female(rng)
            else:
                given = (male if rng.random() < 0.5 else female)(rng)
            if not taken or given not in taken:
                break
        if taken is not None:
            taken.add(given)
        if family_name is None:
            other = POOLS[ethnicity][int(rng.random() * len(POOLS[ethnicity]))]
            family_name = NAME_PICKERS[id(other)][2](rng)
        middle = ""
        if rng.random() < 0.35:
            middle = (male if sex == MALE else female)(rng)
            if middle == given:
                middle = ""
        preferred = ""
        nicknames = names.NICKNAMES.get(given)
        if nicknames and rng.random() < 0.45:
            preferred = nicknames[int(rng.random() * len(nicknames))]
        gender, pronouns = NOT_RECORDED, NOT_RECORDED
        if adult and sex in (MALE, FEMALE):
            r = rng.random()
            if r < 0.87:
                gender = "same_as_sex"
            elif r < 0.97:
                gender = NOT_RECORDED if r < 0.95 else PREFER_NOT_TO_SAY
            elif r < 0.985:
                gender = "woman" if sex == MALE else "man"
            else:
                gender = "non_binary"
            if rng.random() < 0.7:
                pronouns = {"woman": "she_her", "man": "he_him", "non_binary": "they_them"}.get(
                    gender, "he_him" if sex == MALE else "she_her"
                )
        phone = f"07700 900{int(rng.random() * 1000):03d}" if adult and rng.random() < 0.6 else ""
        email = ""
        if adult and rng.random() < 0.25:
            email = (
                f"{_folded(given)}.{_folded(family_name)}{int(rng.random() * 99) + 1}@example.org"
            )
        dob = None if age_days is None else self.day(self.today_ord - age_days)
        pid = self.new_id()
        given_key, family_key, family_letters = _keys(given, family_name)
        self.rows["person"].append(
            (pid, given, middle, family_name, preferred, dob, sex, gender, pronouns, ethnicity,
             DISABILITY(rng) if adult else NOT_RECORDED, phone, email, given_key, family_key,
             family_letters, created_by, self.now, self.now)
        )  # fmt: skip
        self.people += 1
        return pid, given, family_name

    def identifiers(self, pid: str, k: int, born_year: int) -> None:
        rng = self.rng
        rows = self.rows["identifier"]
        values = []
        if rng.random() < 0.97:
            n = (k * STRIDE + self._offset["prison_number"]) % PRISON_SPACE
            values.append(
                ("prison_number",
                 f"{'AG'[n % 2]}{n // 2 % 10_000:04d}{LETTERS[n // 20_000 % 26]}"
                 f"{LETTERS[n // 520_000 % 26]}")
            )  # fmt: skip
        if rng.random() < 0.88:
            n = (k * STRIDE + self._offset["crn"]) % CRN_SPACE
            values.append(("crn", f"{LETTERS[n % 26]}{n // 26:06d}"))
        if rng.random() < 0.85:
            n = (k * STRIDE + self._offset["pnc"]) % PNC_SPACE
            year = str(self.between(max(born_year + 14, 1990), self.today.year))
            serial = f"{n:07d}"
            values.append(("pnc", f"{year}/{serial}{pnc_check_letter(year, serial)}"))
        if rng.random() < 0.8:
            n = (k * STRIDE + self._offset["ni_number"]) % NI_SPACE
            values.append(
                ("ni_number", f"{NI_PREFIXES[n % len(NI_PREFIXES)]}{n // len(NI_PREFIXES):06d}"
                 f"{'ABCD'[int(rng.random() * 4)]}")
            )  # fmt: skip
        for scheme, value in values:
            if (scheme, value) in self.taken:
                continue  # made by the small demo: this person goes without one
            rows.append((self.new_id(), pid, scheme, value, self.now, self.now))

    def address(self, pid: str, kind: str, from_ord: int, to_ord: int | None, towns) -> tuple:
        rng = self.rng
        town, area = towns[int(rng.random() * len(towns))]
        if kind == AddressKind.NO_FIXED_ABODE:
            line_1 = line_2 = postcode = ""
            if rng.random() > 0.6:
                town = ""
        else:
            street = (
                f"{self.between(1, 180)} {names.STREETS[int(rng.random() * len(names.STREETS))]}"
            )
            line_2 = ""
            if kind == AddressKind.APPROVED_PREMISES:
                line_1, line_2 = names.APPROVED_PREMISES[int(rng.random() * 2)], street
            elif kind == AddressKind.TEMPORARY:
                hostel = names.HOSTELS[int(rng.random() * len(names.HOSTELS))]
                line_1, line_2 = f"Room {self.between(1, 24)}, {hostel}", street
            elif rng.random() < 0.25:
                line_1, line_2 = f"Flat {self.between(1, 40)}", street
            else:
                line_1 = street
            inward = (
                f"{self.between(1, 9)}{INWARD[int(rng.random() * len(INWARD))]}"
                f"{INWARD[int(rng.random() * len(INWARD))]}"
            )
            postcode = f"{area}{self.between(1, 19)} {inward}"
        row = (self.new_id(), pid, kind, line_1, line_2, town, postcode, self.day(from_ord),
               None if to_ord is None else self.day(to_ord), self.now, self.now)  # fmt: skip
        self.rows["address"].append(row)
        return row

    # A person leaving prison, with everything around them -----------------------------------

    def leaver(self, k: int) -> None:
        rng = self.rng
        w = self.world
        today = self.today_ord
        sex = SEX(rng)
        ethnicity = ETHNICITY(rng)
        low, high = AGE(rng)
        age_years = self.between(low, high)
        age_days = age_years * 365 + self.between(0, 364)
        born = today - age_days
        creator = w.creator("probation", rng)
        pid, given, family = self.person(
            age_days=None if rng.random() < 0.01 else age_days,
            sex=sex,
            ethnicity=ethnicity,
            family_name=None,
            created_by=creator,
            adult=True,
        )
        self.identifiers(pid, k, date.fromordinal(born).year)
        if rng.random() < 0.08:
            pool = POOLS[ethnicity][0]
            alias_given = NAME_PICKERS[id(pool)][0 if sex == MALE else 1](rng)
            keys = _keys(alias_given, family)
            self.rows["name"].append(
                (self.new_id(), pid, "alias", alias_given, family, *keys, self.now, self.now)
            )
        woman = sex == FEMALE

        custody = self.custody(pid, born, woman)
        release, in_custody_now, recall = custody[:3]
        towns = REGION(rng)
        kind = CURRENT_ADDRESS(rng)
        home = None
        if kind is not None:
            since = min(today - 1, max(release, today - 900)) if release <= today else today - 400
            home = self.address(pid, kind, since, None, towns)
            if rng.random() < 0.3:
                self.address(pid, HOME, since - self.between(200, 2000), since, towns)
        no_fixed_abode = kind in (None, AddressKind.NO_FIXED_ABODE, AddressKind.TEMPORARY)

        relatives = self.family(pid, given, family, sex, ethnicity, age_years, home)

        # Cases, each with its working relationship, referral and contacts.
        cases: list[tuple] = []
        live_probation = rng.random() < 0.9
        if live_probation:
            cases.append(("probation", None))
        if rng.random() < 0.08 or (in_custody_now and rng.random() < 0.5):
            cases.append(("prison", None))
        if rng.random() < 0.55:
            cases.append(("lead", None))
        for org, share in PARTNER_SHARES.items():
            boost = 2.5 if org == "housing" and no_fixed_abode else 1.0
            if rng.random() < share * boost:
                cases.append((org, "refer"))
        if woman and rng.random() < 0.6:
            cases.append(("womens", "refer"))
        # How much this person engages: most a little, some a great deal.
        engagement = 0.2 + rng.expovariate(1.25)
        made = []
        for org, how in cases:
            made.append(self.case(pid, org, release, in_custody_now, recall, refer=how))
        made = [m for m in made if m is not None]
        self.contacts(pid, made, engagement)
        # Older history: closed cases from earlier custody periods.
        for earlier in custody[3:]:
            for org in ("probation", "lead"):
                if rng.random() < (0.8 if org == "probation" else 0.3):
                    old = self.case(pid, org, earlier, False, None, refer=None, history=True)
                    if old:
                        self.contacts(pid, [old], engagement * 0.5)
        # Referrals that did not become cases: declined, withdrawn, or waiting for an answer.
        if rng.random() < 0.35:
            self.stray_referral(pid, release)
        self.consent(pid, release, relative=False)
        if relatives and rng.random() < 0.4:
            partner = relatives[0]
            case = self.case(partner, "family", release, False, None, refer="refer", relative=True)
            if case:
                self.consent(partner, release, relative=True)
                self.contacts(partner, [case], 0.5)
                for child in relatives[1:]:
                    self.working(child, "family", case[4], case[5], case[6])

    def custody(self, pid: str, born: int, woman: bool) -> tuple:
        """The latest custody period (in custody now for a few) and earlier ones. Returns
        (latest release ordinal, in custody now, recall (on, re-released on) or None, earlier
        release ordinals...)."""
        rng = self.rng
        today = self.today_ord
        places = WOMENS_ESTABLISHMENTS if woman else ESTABLISHMENTS
        recorder = self.world.any_worker("prison", rng)
        adult_from = born + 18 * 365
        in_custody_now = rng.random() < 0.07
        if in_custody_now:
            release = today + self.between(1, 180)
        else:
            # Releases spread over ten years, more of them recent (people return to custody).
            release = today - int(3650 * rng.random() ** 1.25) - 1
        low, high = SERVED(rng)
        start = max(adult_from, release - self.between(low, high))
        if start >= min(release, today):
            start = min(release, today) - 14
        place = places[int(rng.random() * len(places))]
        recall = None
        licence_end = release + self.between(180, 730)
        released_on = None if in_custody_now else release
        recalled_on = None
        release_type = "" if in_custody_now else ("conditional" if rng.random() < 0.8 else "hdc")
        recall_reason = ""
        events = [("started", start, "", "")]
        if not in_custody_now:
            events.append(("released", release, release_type, ""))
            recall_on = release + self.between(20, 365)
            if rng.random() < 0.2 and recall_on < today:
                recall_reason = RECALL_REASONS(rng)
                recalled_on = recall_on
                events.append(("recalled", recall_on, "", recall_reason))
                again = recall_on + self.between(28, 180)
                rereleased = again if again < today and rng.random() < 0.65 else None
                if rereleased:
                    events.append(("released", rereleased, "conditional", ""))
                    released_on = rereleased
                    licence_end = max(licence_end, rereleased + 90)
                recall = (recall_on, rereleased)
        ended = (
            licence_end
            if not in_custody_now
            and licence_end < today
            and (recall is None or recall[1] is not None)
            else None
        )
        if ended:
            events.append(("ended", ended, "", ""))
        self.period(pid, "sentence", start, place, release, release, licence_end, released_on,
                    release_type if released_on else "", recalled_on, recall_reason, ended,
                    recorder, events)  # fmt: skip
        result = [release, in_custody_now, recall]
        cursor = start
        for _ in range(EARLIER_PERIODS(rng)):
            out = cursor - self.between(60, 1500)
            low, high = SERVED(rng)
            began = out - self.between(low, high)
            if began < adult_from:
                break
            remand = rng.random() < 0.1
            kind = "remand" if remand else "sentence"
            rtype = ("bail" if rng.random() < 0.5 else "end_of_remand") if remand else "conditional"
            place = places[int(rng.random() * len(places))]
            end = out + (0 if remand else self.between(180, 730))
            end = min(end, cursor - 1)
            evs = [("started", began, "", ""), ("released", out, rtype, ""), ("ended", end, "", "")]
            licence = None if remand else end
            conditional = None if remand else out
            self.period(pid, kind, began, place, out, conditional, licence, out, rtype, None, "",
                        end, recorder, evs)  # fmt: skip
            result.append(out)
            cursor = began
        return tuple(result)

    def period(
        self,
        pid,
        kind,
        start,
        place,
        expected,
        conditional,
        licence_end,
        released_on,
        release_type,
        recalled_on,
        recall_reason,
        ended,
        recorder,
        events,
    ) -> None:
        d = self.day
        period = self.new_id()
        self.rows["custody"].append(
            (period, pid, kind, d(start), place, d(expected),
             None if conditional is None else d(conditional),
             None if licence_end is None else d(licence_end),
             None if released_on is None else d(released_on), release_type,
             None if recalled_on is None else d(recalled_on), recall_reason,
             None if ended is None else d(ended), recorder, self.at(start, 600), self.now)
        )  # fmt: skip
        rows = self.rows["custody_event"]
        for n, (kind_, on, rtype, reason) in enumerate(events):
            rows.append(
                (self.new_id(), period, kind_, d(on), rtype, reason,
                 place if kind_ in ("started", "recalled") else "", recorder,
                 self.at(on, 600 + n), self.now)
            )  # fmt: skip

    def family(self, pid, given, family, sex, ethnicity, age_years, home) -> list[str]:
        """A household for some: a partner, children, sometimes a parent. Returns the partner
        (or parent) first, then the children. No two children share a given name, nor a child
        the leaver's."""
        rng = self.rng
        if rng.random() >= 0.4 or self.people >= self.person_budget:
            return []
        creator = self.world.creator("lead", rng)
        today = self.today_ord
        household = self.new_id()
        self.rows["household"].append((household, f"{family} household", self.now, self.now))
        members: list[tuple[str, str, bool]] = []  # (person, kind from the leaver's side, lives)
        lives_with = rng.random() < 0.55
        adult = None
        if rng.random() < 0.7 and age_years >= 20:
            partner_sex = FEMALE if sex == MALE else MALE
            if rng.random() < 0.05:
                partner_sex = sex
            partner_age = max(18, age_years + self.between(-6, 6))
            adult, _, _ = self.person(
                age_days=partner_age * 365 + self.between(0, 364), sex=partner_sex,
                ethnicity=ethnicity if rng.random() < 0.8 else ETHNICITY(rng),
                family_name=family if rng.random() < 0.5 else None, created_by=creator,
                adult=True,
            )  # fmt: skip
            members.append((adult, PARTNER, lives_with))
        elif age_years < 35 and self.people < self.person_budget:
            adult, _, _ = self.person(
                age_days=(age_years + self.between(20, 32)) * 365 + self.between(0, 364),
                sex=FEMALE,
                ethnicity=ethnicity, family_name=family, created_by=creator, adult=True,
            )  # fmt: skip
            members.append((adult, PARENT, lives_with))
        children = []
        taken = {given}
        if age_years >= 19:
            for _ in range(CHILDREN(rng)):
                if self.people >= self.person_budget:
                    break
                child_age = self.between(0, min(17, age_years - 18))
                child, _, _ = self.person(
                    age_days=child_age * 365 + self.between(0, 364),
                    sex=MALE if rng.random() < 0.5 else FEMALE,
                    ethnicity=ethnicity, family_name=family, created_by=creator, adult=False,
                    taken=taken,
                )  # fmt: skip
                members.append((child, CHILD, lives_with or rng.random() < 0.3))
                children.append(child)
        if not members:
            self.rows["household"].pop()  # nobody else after all: no household
            return []
        since = self.day(today - self.between(30, 3000))
        rows_m = self.rows["member"]
        rows_r = self.rows["relationship"]
        if lives_with:
            rows_m.append((self.new_id(), household, pid, since, self.now, self.now))
        inverse = {PARTNER: PARTNER,
                   PARENT: CHILD,
                   CHILD: PARENT}  # fmt: skip
        for person, kind, lives in members:
            rows_m.append((self.new_id(), household, person, since, self.now, self.now))
            wishes = "no_contact" if rng.random() < 0.08 else "happy"
            rows_r.append((self.new_id(), pid, person, kind, lives, "happy", self.now, self.now))
            rows_r.append(
                (self.new_id(), person, pid, inverse[kind], lives, wishes, self.now, self.now)
            )
            if home is not None and lives:
                self.rows["address"].append(
                    (self.new_id(), person, *home[2:7], home[7], None, self.now, self.now)
                )
        for i, child in enumerate(children):
            for other in children[i + 1 :]:
                rows_r.append((self.new_id(), child, other, "sibling", True, "happy",
                               self.now, self.now))  # fmt: skip
                rows_r.append((self.new_id(), other, child, "sibling", True, "happy",
                               self.now, self.now))  # fmt: skip
            if adult is not None and members[0][1] == PARTNER:
                rows_r.append((self.new_id(), adult, child, "child", True, "happy",
                               self.now, self.now))  # fmt: skip
                rows_r.append((self.new_id(), child, adult, "parent", True, "happy",
                               self.now, self.now))  # fmt: skip
        return [adult, *children] if adult else []

    def consent(self, pid: str, release: int, *, relative: bool) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.1:
            return
        today = self.today_ord
        given = min(today - 1, release - self.between(0, 60))
        expires = withdrawn = None
        if r > 0.93:
            withdrawn = self.day(min(today - 1, given + self.between(10, 300)))
        elif r > 0.86:
            expires = self.day(min(today - 1, given + 365) if given + 365 < today else given + 1)
        categories = (
            RELATIVE_CATEGORIES if relative else
            LEAVER_CATEGORIES_NO_HEALTH if rng.random() < 0.16 else LEAVER_CATEGORIES
        )  # fmt: skip
        kinds = RELATIVE_KINDS_JSON if relative else LEAVER_KINDS_JSON
        org = "family" if relative else "lead"
        self.rows["consent"].append(
            (self.new_id(), pid, categories, kinds, CONSENT_METHOD(rng), "person",
             self.day(given), expires, withdrawn, self.world.any_worker(org, rng),
             self.world.orgs[org], self.at(given, 660), self.now)
        )  # fmt: skip

    # Cases, referrals, working relationships --------------------------------------------------

    def case(
        self, pid, org, release, in_custody_now, recall, *, refer, relative=False, history=False
    ):
        """A case at `org` around the release on `release` (an ordinal day). Returns
        (case id, org, person, worker, opened, closed or None, worker for the relationship)
        or None when it would only open in the future."""
        rng = self.rng
        w = self.world
        today = self.today_ord
        before, (low, high) = CASE_TIMING[org]
        opened = release - before + (self.between(0, 14) if before <= 0 else -self.between(0, 14))
        if relative:
            opened = min(today - 1, max(release - 60, today - 3000) + self.between(0, 60))
        if opened >= today:
            return None
        closes = opened + self.between(low, high)
        live = closes >= today and not history
        if live and recall is None and not in_custody_now and org == "prison":
            live = False
        closed_on = None if live else min(closes, today - 1)
        paused = live and recall is not None and recall[1] is None and org != "prison"
        worker = w.take_worker(org, rng) if live else w.any_worker(org, rng)
        mentor = worker if org == "mentoring" else None
        case_worker = None if org == "mentoring" else worker
        referral = None
        if refer:
            referral = self.referral(pid, org, opened, closed_on, live)
        case_id = self.new_id()
        state = "paused" if paused else ("open" if live else "closed")
        close_reason = "" if live else CLOSE_REASONS(rng)
        review = self.day(today + self.between(-7, 42)) if live else None
        self.rows["case"].append(
            (case_id, pid, w.orgs[org], state, case_worker, mentor, referral, self.day(opened),
             None if closed_on is None else self.day(closed_on), close_reason, review,
             "Recalled to custody" if paused else "", self.at(opened, 540), self.now)
        )  # fmt: skip
        events = self.rows["case_event"]
        events.append((self.new_id(), case_id, "opened", self.day(opened), worker,
                       self.at(opened, 541), self.now))  # fmt: skip
        if (
            recall is not None
            and opened < recall[0]
            and (closed_on is None or recall[0] < closed_on)
        ):
            events.append((self.new_id(), case_id, "paused", self.day(recall[0]), worker,
                           self.at(recall[0], 600), self.now))  # fmt: skip
            if recall[1] is not None and (closed_on is None or recall[1] <= closed_on):
                events.append((self.new_id(), case_id, "resumed", self.day(recall[1]), worker,
                               self.at(recall[1], 600), self.now))  # fmt: skip
        if closed_on is not None:
            events.append((self.new_id(), case_id, "closed", self.day(closed_on), worker,
                           self.at(closed_on, 900), self.now))  # fmt: skip
        if live:
            self.task(case_id, org, worker, release, review)
        self.working(pid, org, opened, closed_on, worker)
        return (case_id, org, pid, worker, opened, closed_on, worker)

    def working(self, pid, org, opened, closed_on, worker) -> None:
        self.rows["working"].append(
            (self.new_id(), pid, self.world.orgs[org], self.day(opened),
             None if closed_on is None else self.day(closed_on), worker,
             self.at(opened, 542), self.now)
        )  # fmt: skip

    def task(self, case_id, org, worker, release, review) -> None:
        rows = self.rows["task"]
        today = self.today_ord
        if org == "mentoring" and release >= today:
            rows.append((self.new_id(), case_id, "gate_meeting", "Meet at the gate on release",
                         self.at(release, 480), "Gate", MENTORING, worker, self.now,
                         self.now))  # fmt: skip
        ordinal = date.fromisoformat(review).toordinal()
        rows.append((self.new_id(), case_id, "review", "Case review", self.at(ordinal, 600), "",
                     "", worker, self.now, self.now))  # fmt: skip

    def _referrer(self) -> tuple[str, int]:
        org = "lead" if self.rng.random() < 0.7 else "probation"
        return org, self.world.any_worker(org, self.rng)

    def referral(self, pid, org, opened, closed_on, live) -> str:
        """The accepted referral a partner's case came from."""
        rng = self.rng
        service, pathway = self._service(org)
        from_org, by = self._referrer()
        submitted = opened - self.between(2, 21)
        decided = min(opened, submitted + self.between(0, 7))
        if live:
            state = "in_progress"
            ended = None
        else:
            state = "completed" if rng.random() < 0.75 else "closed"
            ended = closed_on
        receiver = self.world.any_worker(org, rng)
        referral = self.new_id()
        at = self.at
        self.rows["referral"].append(
            (referral, pid, service, self.world.orgs[from_org], by, state, REASONS[pathway],
             pathway, "routine" if rng.random() < 0.8 else "soon", "", at(submitted, 570),
             at(decided, 600), at(decided, 600), at(opened, 630),
             None if ended is None else at(ended, 900), None, at(submitted, 560), self.now)
        )  # fmt: skip
        steps = [("", "submitted", by, from_org, submitted, 570),
                 ("submitted", "accepted", receiver, org, decided, 600),
                 ("accepted", "in_progress", receiver, org, opened, 630)]  # fmt: skip
        if ended is not None:
            steps.append(("in_progress", state, receiver, org, ended, 900))
        self._transitions(referral, steps)
        return referral

    def stray_referral(self, pid, release) -> None:
        rng = self.rng
        today = self.today_ord
        org = ("trust_millbrook", "trust_ashcombe", "trust_eastgate", "housing", "mentoring",
               "dwp")[int(rng.random() * 6)]  # fmt: skip
        service, pathway = self._service(org)
        from_org, by = self._referrer()
        recent = release > today - 120 and rng.random() < 0.25
        submitted = (
            today - self.between(0, 20)
            if recent
            else (min(today - 1, release + self.between(-60, 200)))
        )
        receiver = self.world.any_worker(org, rng)
        decline = waiting = decided = ended = None
        steps = [("", "submitted", by, from_org, submitted, 570)]
        if recent:
            if rng.random() < 0.05:
                state = "draft"
                steps = [("", "draft", by, from_org, submitted, 560)]
            elif rng.random() < 0.7:
                state = "submitted"
            else:
                state = "waiting_list"
                waiting = submitted + self.between(0, min(5, today - submitted))
                steps.append(("submitted", "waiting_list", receiver, org, waiting, 610))
        else:
            r = rng.random()
            decided = min(today - 1, submitted + self.between(1, 14))
            if r < 0.6:
                state = "declined"
                decline = DECLINE_REASONS(rng)
                steps.append(("submitted", "declined", receiver, org, decided, 610))
            else:
                state = "withdrawn"
                ended = decided
                steps.append(("submitted", "withdrawn", by, from_org, decided, 610))
        at = self.at
        referral = self.new_id()
        self.rows["referral"].append(
            (referral, pid, service, self.world.orgs[from_org], by, state, REASONS[pathway],
             pathway, "routine", decline or "",
             None if state == "draft" else at(submitted, 570),
             None if decided is None else at(decided, 610),
             None if decline is None or decided is None else at(decided, 610), None,
             None if ended is None else at(ended, 610),
             None if waiting is None else at(waiting, 610), at(submitted, 560), self.now)
        )  # fmt: skip
        self._transitions(referral, steps)

    def _service(self, org: str) -> tuple[str, str]:
        services = self.world.services[org]
        return services[int(self.rng.random() * len(services))]

    def _transitions(self, referral: str, steps) -> None:
        rows = self.rows["transition"]
        orgs = self.world.orgs
        for from_state, to_state, by, org, on, minute in steps:
            rows.append((self.new_id(), referral, from_state, to_state, by, orgs[org],
                         self.at(on, minute), self.now))  # fmt: skip

    # Contacts -------------------------------------------------------------------------------

    def contacts(self, pid: str, cases: list[tuple], engagement: float) -> None:
        """Contacts over each case, at a rate that falls off with time since the case opened
        (proportional to 1/sqrt(days + 30): weekly at first, monthly after a year or two), scaled
        by how often the organisation meets people and by the person's `engagement`; some
        people have a long gap with none."""
        if not cases or engagement <= 0:
            return
        rng = self.rng
        today = self.today_ord
        gap = None
        if rng.random() < 0.12:
            first = min(case[4] for case in cases)
            gap_start = first + self.between(30, 400)
            gap = (gap_start, gap_start + self.between(90, 400))
        rows = self.rows["contact"]
        orgs = self.world.orgs
        new_id = self.new_id
        at = self.at
        random_ = rng.random
        scale = self.contact_rate * engagement
        for case_id, org, _pid, worker, opened, closed_on, _ in cases:
            end = min(closed_on if closed_on is not None else today - 1, today - 1)
            # The rate's integral from the opening day to `end`, in units of sqrt(days).
            span = sqrt(max(0, end - opened) + FALL_OFF_DAYS) - SQRT_FALL_OFF
            count = int(scale * CONTACT_WEIGHT[org] * span + random_())
            if count <= 0:
                continue
            kinds = CONTACT_KINDS.get(org, DEFAULT_KINDS)
            paths = ORG_CONTACT_JSON[org]
            org_id = orgs[org]
            for _ in range(count):
                # Inverse of the rate's cumulative distribution: early days are busier.
                on = opened + int((SQRT_FALL_OFF + span * random_()) ** 2 - FALL_OFF_DAYS)
                if on >= today or (gap and gap[0] <= on < gap[1]):
                    continue
                outcome = CONTACT_OUTCOME(rng)
                when = at(on, 540 + int(random_() * 540))
                kind = kinds(rng)
                rows.append(
                    (new_id(), pid, case_id, org_id, worker, kind, when, outcome,
                     CANCELLED_BY(rng) if outcome == "cancelled" else "",
                     None if outcome != "attended" else (15, 30, 45, 60, 90)[int(random_() * 5)],
                     paths[int(random_() * len(paths))], when, when)
                )  # fmt: skip
