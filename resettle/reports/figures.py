"""What a report is made of, whatever it reports: headline figures and breakdowns, each with the
definition it was counted by, and the small-number rule applied once for every report (DESIGN §5).

A report shared beyond the organisation it describes shows counts from 1 to 4 as "fewer than 5"
(primary suppression) and, where a breakdown has exactly one such cell, also hides the next smallest
so the hidden one cannot be worked out from the total (secondary suppression). Zero is shown as 0.
"""

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

from resettle.reports.periods import Period

SMALL = 5
FEWER_THAN = f"fewer than {SMALL}"
HIDDEN = "hidden"
NOT_RECORDED = "not_recorded"
PREFER_NOT_TO_SAY = "prefer_not_to_say"


@dataclass(frozen=True)
class Cell:
    """One number. `count` is None when it is suppressed or cannot be computed (`reason` says
    why); `shown` is what a page or file prints."""

    count: int | float | None
    suppressed: bool = False
    reason: str = ""

    @property
    def shown(self) -> str:
        if self.suppressed:
            return self.reason
        if self.count is None:
            return f"Cannot be computed: {self.reason}"
        if isinstance(self.count, float):
            return f"{self.count:.1f}"
        return f"{self.count:,}"


def known(count: int | float) -> Cell:
    return Cell(count)


def unknowable(reason: str) -> Cell:
    return Cell(None, reason=reason)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    cell: Cell
    # Counts of people or records can be suppressed; a median of days cannot identify anyone.
    is_count: bool = True


@dataclass(frozen=True)
class Row:
    value: str
    label: str
    cell: Cell


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    definition: str
    rows: tuple[Row, ...]
    # Rows counting people or records are suppressed; rows of percentages, places or days are
    # not counts of anyone and are shared as they are.
    is_count: bool = True

    @property
    def bars(self) -> list[tuple[Row, int | None]]:
        """Each row with its bar's length in per cent of the largest shown count (None: no
        bar, for a hidden or uncomputable cell). The bar repeats the number beside it."""
        shown = [r.cell.count for r in self.rows if isinstance(r.cell.count, int | float)]
        largest = max(shown, default=0)
        return [
            (
                row,
                round(100 * row.cell.count / largest)
                if largest and isinstance(row.cell.count, int | float)
                else None,
            )
            for row in self.rows
        ]


FILTERS_APPLY = (
    "A service filter counts referrals to that service, its sessions, and the contacts and cases "
    "of cases opened from a referral to it. A programme filter counts the programme's sessions, "
    "the referrals someone was enrolled in it from, the contacts and cases of cases opened from "
    "such a referral, and the outcomes its service recorded. A pathway filter counts referrals "
    "for that pathway, contacts tagged with it, sessions of services offering it, and cases "
    "opened from a referral for it."
)


@dataclass(frozen=True)
class Filters:
    """What a report may be narrowed to within its scope: one service, one of the services'
    programmes (a course of sessions), one pathway."""

    service_id: str = ""
    service_name: str = ""
    pathway: str = ""
    pathway_name: str = ""
    programme_id: str = ""
    programme_name: str = ""

    def __bool__(self) -> bool:
        return bool(self.service_id or self.programme_id or self.pathway)

    @property
    def label(self) -> str:
        parts = [f"service: {self.service_name}"] if self.service_id else []
        parts += [f"programme: {self.programme_name}"] if self.programme_id else []
        parts += [f"pathway: {self.pathway_name}"] if self.pathway else []
        return "; ".join(parts) or "none"


@dataclass(frozen=True)
class Scope:
    """Whose figures: one organisation, or every organisation of a partnership, narrowed by
    any filters."""

    kind: str  # "organisation" or "partnership"
    id: str
    name: str
    organisation_ids: frozenset = field(compare=False)
    filters: Filters = Filters()


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    scope: Scope
    period: Period
    exact: bool
    figures: tuple[Figure, ...]
    breakdowns: tuple[Breakdown, ...]
    notes: tuple[str, ...] = ()
    made_at: datetime | None = None

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)

    @property
    def suppression_note(self) -> str:
        if self.exact:
            return "These are your organisation's own figures: every count is exact."
        return (
            f"These figures are shared beyond one organisation, so counts from 1 to {SMALL - 1} "
            f'show as "{FEWER_THAN}", and where that alone could be worked out from a total, the '
            f'next smallest count shows as "{HIDDEN}". Zero is shown as 0.'
        )


# Progress ---------------------------------------------------------------------------------------
# A report is counted section by section (a group of figures or breakdowns); a builder says as
# each section begins which it is and how far through the counting that is, so a report built in
# the background moves its bar as it goes rather than from started to done.

Progress = Callable[[int, str], None]  # (per cent of the counting done, the section beginning)


def no_progress(percent: int, stage: str) -> None:
    """For a report counted while its page waits: nobody is watching a bar."""


class Sections:
    """A builder's sections, named once in the order it counts them."""

    def __init__(self, progress: Progress, names: Sequence[str]) -> None:
        self.progress = progress
        self.names = tuple(names)

    def begin(self, name: str) -> None:
        """Report that `name` is being counted: the sections before it are done."""
        self.progress(100 * self.names.index(name) // len(self.names), name)


def _primary(cell: Cell) -> Cell:
    if isinstance(cell.count, int) and 0 < cell.count < SMALL:
        return Cell(None, suppressed=True, reason=FEWER_THAN)
    return cell


def suppress_rows(rows: tuple[Row, ...]) -> tuple[Row, ...]:
    hidden = [replace(row, cell=_primary(row.cell)) for row in rows]
    if sum(1 for row in hidden if row.cell.suppressed) == 1:
        candidates = [
            (row.cell.count, index)
            for index, row in enumerate(hidden)
            if not row.cell.suppressed and isinstance(row.cell.count, int) and row.cell.count > 0
        ]
        if candidates:
            _, index = min(candidates)
            hidden[index] = replace(hidden[index], cell=Cell(None, suppressed=True, reason=HIDDEN))
    return tuple(hidden)


def suppressed(report: Report) -> Report:
    """The report as it may be shared beyond the organisation it describes."""
    if report.exact:
        return report
    return replace(
        report,
        figures=tuple(
            replace(f, cell=_primary(f.cell)) if f.is_count else f for f in report.figures
        ),
        breakdowns=tuple(
            replace(b, rows=suppress_rows(b.rows)) if b.is_count else b for b in report.breakdowns
        ),
    )


# Stored reports ---------------------------------------------------------------------------------
# A report built in the background is kept as JSON and shown again later: the one place that
# turns a report into JSON and back, so a stored report renders and downloads as a fresh one.


def _cell_to_json(cell: Cell) -> dict[str, Any]:
    # A float that happens to be whole (2.0) must come back a float, to print as "2.0".
    return {
        "count": cell.count,
        "float": isinstance(cell.count, float),
        "suppressed": cell.suppressed,
        "reason": cell.reason,
    }


def _cell_from_json(data: dict[str, Any]) -> Cell:
    count = data["count"]
    if count is not None and data.get("float"):
        count = float(count)
    return Cell(count, suppressed=data["suppressed"], reason=data["reason"])


def report_to_json(report: Report) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "title": report.title,
        "scope": {
            "kind": report.scope.kind,
            "id": report.scope.id,
            "name": report.scope.name,
            "organisation_ids": sorted(str(pk) for pk in report.scope.organisation_ids),
            "filters": asdict(report.scope.filters),
        },
        "period": {
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
            "quarter": report.period.quarter,
            "to_date": report.period.to_date,
        },
        "exact": report.exact,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "definition": f.definition,
                "cell": _cell_to_json(f.cell),
                "is_count": f.is_count,
            }
            for f in report.figures
        ],
        "breakdowns": [
            {
                "key": b.key,
                "label": b.label,
                "definition": b.definition,
                "rows": [
                    {"value": r.value, "label": r.label, "cell": _cell_to_json(r.cell)}
                    for r in b.rows
                ],
                "is_count": b.is_count,
            }
            for b in report.breakdowns
        ],
        "notes": list(report.notes),
        "made_at": report.made_at.isoformat() if report.made_at else None,
    }


def report_from_json(data: dict[str, Any]) -> Report:
    scope, period = data["scope"], data["period"]
    return Report(
        kind=data["kind"],
        title=data["title"],
        scope=Scope(
            scope["kind"],
            scope["id"],
            scope["name"],
            frozenset(scope["organisation_ids"]),
            Filters(**scope.get("filters", {})),
        ),
        period=Period(
            start=date.fromisoformat(period["start"]),
            end=date.fromisoformat(period["end"]),
            quarter=period["quarter"],
            to_date=period["to_date"],
        ),
        exact=data["exact"],
        figures=tuple(
            Figure(f["key"], f["label"], f["definition"], _cell_from_json(f["cell"]), f["is_count"])
            for f in data["figures"]
        ),
        breakdowns=tuple(
            Breakdown(
                b["key"],
                b["label"],
                b["definition"],
                tuple(Row(r["value"], r["label"], _cell_from_json(r["cell"])) for r in b["rows"]),
                b["is_count"],
            )
            for b in data["breakdowns"]
        ),
        notes=tuple(data["notes"]),
        made_at=datetime.fromisoformat(data["made_at"]) if data["made_at"] else None,
    )
