"""Periods: financial quarters (Q1 is April to June), ranges of days, never past today."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from resettle.reports.periods import (
    quarter_bounds,
    quarter_of,
    quarter_period,
    range_period,
    recent_quarters,
)

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        ("2026-Q1", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-Q2", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q3", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-Q4", date(2027, 1, 1), date(2027, 3, 31)),
    ],
)
def test_quarters_follow_the_uk_financial_year(quarter, start, end):
    assert quarter_bounds(quarter) == (start, end)
    assert quarter_of(start) == quarter_of(end) == quarter


def test_the_current_quarter_runs_to_today():
    period = quarter_period("2026-Q3", today=TODAY)

    assert (period.start, period.end, period.to_date) == (date(2026, 10, 1), TODAY, True)
    assert period.label == "Q3 2026 to 27 (1 October 2026 to 6 December 2026, to date)"


def test_an_ended_quarter_is_whole():
    period = quarter_period("2025-Q4", today=TODAY)

    assert (period.start, period.end, period.to_date) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        False,
    )


@pytest.mark.parametrize(
    ("quarter", "message"),
    [
        ("2026-Q4", "That quarter has not started yet"),
        ("2026-Q5", "Enter a quarter like 2026-Q1"),
        ("26-Q1", "Enter a quarter like 2026-Q1"),
        ("1999-Q1", "Choose a quarter from 2000-Q1 on"),
    ],
)
def test_bad_quarters_are_refused_with_a_reason(quarter, message):
    with pytest.raises(ValidationError) as error:
        quarter_period(quarter, today=TODAY)
    assert error.value.messages[0].startswith(message)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 5, 2), date(2026, 5, 1), "The end date must be the same as or after"),
        (date(2026, 5, 1), date(2026, 12, 7), "The end date must be today or in the past"),
        (date(1999, 5, 1), date(2026, 5, 1), "The start date must be on or after"),
    ],
)
def test_bad_ranges_are_refused_with_a_reason(start, end, message):
    with pytest.raises(ValidationError) as error:
        range_period(start, end, today=TODAY)
    assert error.value.messages[0].startswith(message)


def test_a_range_may_be_one_day():
    period = range_period(TODAY, TODAY, today=TODAY)
    assert period.start == period.end == TODAY and period.quarter == ""


def test_the_picker_offers_this_quarter_and_the_seven_before_it():
    assert recent_quarters(today=TODAY) == [
        "2026-Q3",
        "2026-Q2",
        "2026-Q1",
        "2025-Q4",
        "2025-Q3",
        "2025-Q2",
        "2025-Q1",
        "2024-Q4",
    ]
