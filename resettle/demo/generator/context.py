"""What every generation step shares: the seed, the reference date, and the results so far."""

import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from django.db import models

from resettle.accounts.models import Organisation, User
from resettle.partnerships.models import Partnership
from resettle.people.models import Address, Household, Person

M = TypeVar("M", bound=models.Model)
K = TypeVar("K")
BATCH_SIZE = 500


@dataclass
class Family:
    """A person leaving prison and the family recorded with them."""

    leaver: Person
    household: Household
    # Everyone else: partner or former partner, children, a parent.
    members: list[Person]
    children: list[Person]
    lives_with_leaver: bool


@dataclass
class DemoResult:
    """The demo partnership as generated: later steps read what earlier ones made."""

    seed: int
    today: date
    partnership: Partnership | None = None
    organisations: dict[str, Organisation] = field(default_factory=dict)
    # Staff by "organisation key:role", in a stable order; the named logins come first.
    staff: dict[str, list[User]] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    leavers: list[Person] = field(default_factory=list)
    family_members: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    # Each person's address now, by person id (absent when none is recorded).
    current_addresses: dict[uuid.UUID, Address] = field(default_factory=dict)
    # (original, near-duplicate) pairs made on purpose for the duplicate warning.
    near_duplicates: list[tuple[Person, Person]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Filled by the casework and directory steps, in this order: services, custody, cases,
    # mentoring, referrals, contacts, plans. Keyed lists so later steps can find what they need.
    services: list = field(default_factory=list)
    custody_periods: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    referrals: list = field(default_factory=list)


class Step:
    """One generation step's random stream. Each step has its own, seeded from the demo seed
    and the step's name, so adding or changing a step leaves the data of earlier steps as it was."""

    def __init__(self, result: DemoResult, name: str) -> None:
        self.result = result
        self.today = result.today
        self.rng = random.Random(f"resettle-demo:{result.seed}:{name}")

    def new_id(self) -> uuid.UUID:
        # Primary keys from the seeded stream, so the same seed gives the same ids.
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, weighted: dict[K, float]) -> K:
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def date_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))


def save_all(model: type[M], objects: Iterable[M], count_as: str, result: DemoResult) -> list[M]:
    rows = list(objects)
    model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
    result.counts[count_as] = result.counts.get(count_as, 0) + len(rows)
    return rows


Progress = Callable[[str], None]
