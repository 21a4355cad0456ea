"""Reporting periods: quarters of the UK financial year (Q1 is April to June) by default, or any
range of whole days. A period never reaches past today: the current quarter is reported to date."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
# Figures before the service existed mean nothing; the guard also keeps dates sane.
EARLIEST = date(2000, 4, 1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    quarter: str = ""  # "2026-Q2" when the period is a financial quarter
    to_date: bool = False  # the quarter has not ended: figures run to `end`, today

    @property
    def label(self) -> str:
        span = f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"
        if not self.quarter:
            return span
        year, number = self.quarter.split("-Q")
        name = f"Q{number} {year} to {int(year[2:]) + 1:02d}"
        return f"{name} ({span}{', to date' if self.to_date else ''})"

    @property
    def after(self) -> date:
        """The first day after the period, for half-open comparisons."""
        return self.end + timedelta(days=1)


def start_of(day: date) -> datetime:
    """The first moment of a day, local time: periods compare times half-open from here."""
    return timezone.make_aware(datetime.combine(day, time.min))


def quarter_of(day: date) -> str:
    """The financial quarter a day falls in, as "2026-Q1" (April to June 2026)."""
    year = day.year if day.month >= 4 else day.year - 1
    number = ((day.month - 4) % 12) // 3 + 1
    return f"{year}-Q{number}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    match = QUARTER.match(quarter)
    if match is None:
        raise ValidationError(
            "Enter a quarter like 2026-Q1 (the financial year 2026 to 27, April to June 2026)",
            code="quarter",
        )
    year, number = int(match[1]), int(match[2])
    first_month = 4 + (number - 1) * 3
    start = date(year + (first_month > 12), (first_month - 1) % 12 + 1, 1)
    next_start = date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
    return start, next_start - timedelta(days=1)


def quarter_period(quarter: str, *, today: date) -> Period:
    start, end = quarter_bounds(quarter)
    if start > today:
        raise ValidationError("That quarter has not started yet", code="future")
    if start < EARLIEST:
        raise ValidationError(f"Choose a quarter from {quarter_of(EARLIEST)} on", code="early")
    return Period(start=start, end=min(end, today), quarter=quarter, to_date=end > today)


def range_period(start: date, end: date, *, today: date) -> Period:
    if end < start:
        raise ValidationError(
            "The end date must be the same as or after the start date", code="order"
        )
    if end > today:
        raise ValidationError("The end date must be today or in the past", code="future")
    if start < EARLIEST:
        raise ValidationError(
            f"The start date must be on or after {EARLIEST:%-d %B %Y}", code="early"
        )
    return Period(start=start, end=end)


def recent_quarters(*, today: date, count: int = 8) -> list[str]:
    """The current quarter and those before it, newest first, for a period picker."""
    quarters = []
    day = today
    for _ in range(count):
        quarter = quarter_of(day)
        if quarter_bounds(quarter)[0] < EARLIEST:
            break
        quarters.append(quarter)
        day = quarter_bounds(quarter)[0] - timedelta(days=1)
    return quarters
