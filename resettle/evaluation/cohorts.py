"""Who is in a Justice Data Lab cohort, and why someone who received a service does not qualify
(DESIGN §11). Pure rules over rows the selectors read, so they are tested without a database.

A person received a service from the organisation when a referral to one of its services was
accepted in the range, or it opened a case for them in the range; their support started on the
earliest such day. The index date is the release date for through-the-gate support (support
that started while the person was in custody), otherwise the start of support."""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from resettle.custody.models import CustodyEventKind
from resettle.people import choices

# The Justice Data Lab will not analyse a cohort smaller than this.
JDL_MINIMUM = 60

# The JDL upload file's columns, in order: the one list the file is built from and tested
# against.
JDL_COLUMNS = (
    "Surname",
    "Forename",
    "Date of birth",
    "Gender",
    "Index date",
    "PNC ID",
    "Prison number",
)
JDL_DATE_FORMAT = "%d/%m/%Y"
JDL_GENDERS: dict[str, str] = {choices.Sex.MALE: "Male", choices.Sex.FEMALE: "Female"}


class Exclusion(enum.StrEnum):
    NO_DATE_OF_BIRTH = "no_date_of_birth"
    NO_GENDER = "no_gender"
    NO_INDEX_DATE = "no_index_date"

    @property
    def label(self) -> str:
        return EXCLUSION_LABELS[self]


EXCLUSION_LABELS = {
    Exclusion.NO_DATE_OF_BIRTH: "No date of birth recorded",
    Exclusion.NO_GENDER: "Sex not recorded as male or female (the JDL matches on it)",
    Exclusion.NO_INDEX_DATE: "No index date: supported in custody and not yet released",
}


@dataclass(frozen=True)
class CustodyStep:
    """One dated custody event of a person (started, released, recalled, ended)."""

    period_id: UUID | str
    kind: str
    on: date


@dataclass(frozen=True)
class Member:
    """Someone who received a service in the cohort's range, with what the JDL file needs."""

    person_id: UUID
    family_name: str
    given_name: str
    date_of_birth: date | None
    sex: str
    support_start: date
    through_the_gate: bool
    index_date: date | None
    pnc: str
    prison_number: str

    @property
    def exclusions(self) -> tuple[Exclusion, ...]:
        reasons = []
        if self.date_of_birth is None:
            reasons.append(Exclusion.NO_DATE_OF_BIRTH)
        if self.sex not in JDL_GENDERS:
            reasons.append(Exclusion.NO_GENDER)
        if self.index_date is None:
            reasons.append(Exclusion.NO_INDEX_DATE)
        return tuple(reasons)

    @property
    def qualifies(self) -> bool:
        return not self.exclusions

    def jdl_row(self) -> tuple[str, ...]:
        assert self.date_of_birth is not None and self.index_date is not None
        return (
            self.family_name,
            self.given_name,
            self.date_of_birth.strftime(JDL_DATE_FORMAT),
            JDL_GENDERS[self.sex],
            self.index_date.strftime(JDL_DATE_FORMAT),
            self.pnc,
            self.prison_number,
        )


def index_date(
    support_start: date, steps: Iterable[CustodyStep], today: date
) -> tuple[bool, date | None]:
    """(through the gate, index date) for support that started on `support_start`.

    In custody on that day (the last step of a period on or before it put them inside), the
    support is through the gate and the index date is the first release after it, or None while
    they are still inside. Otherwise the index date is the start of support."""
    by_period: dict[object, list[CustodyStep]] = {}
    for step in sorted(steps, key=lambda s: s.on):
        by_period.setdefault(step.period_id, []).append(step)
    for period_steps in by_period.values():
        before = [s for s in period_steps if s.on <= support_start]
        if not before or before[-1].kind not in (
            CustodyEventKind.STARTED,
            CustodyEventKind.RECALLED,
        ):
            continue
        releases = [
            s.on
            for s in period_steps
            if s.kind == CustodyEventKind.RELEASED and s.on >= support_start and s.on <= today
        ]
        return True, (releases[0] if releases else None)
    return False, support_start


@dataclass(frozen=True)
class CohortSummary:
    members: list[Member]

    @property
    def qualifying(self) -> list[Member]:
        return [m for m in self.members if m.qualifies]

    @property
    def excluded(self) -> list[Member]:
        return [m for m in self.members if not m.qualifies]

    @property
    def exclusion_counts(self) -> list[tuple[Exclusion, int]]:
        """Each reason with how many people it keeps out (someone may have several); zero is a
        count like any other."""
        return [
            (reason, sum(1 for m in self.members if reason in m.exclusions)) for reason in Exclusion
        ]

    @property
    def meets_minimum(self) -> bool:
        return len(self.qualifying) >= JDL_MINIMUM

    @property
    def short_of_minimum(self) -> int:
        return max(0, JDL_MINIMUM - len(self.qualifying))
