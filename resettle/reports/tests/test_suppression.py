"""Small numbers (DESIGN §5): shared figures show 1 to 4 as "fewer than 5", a second cell is
hidden where one alone could be worked out from the total, zero stays 0, and an organisation's
own figures are exact."""

from dataclasses import replace
from datetime import date

from resettle.reports.figures import (
    FEWER_THAN,
    HIDDEN,
    Breakdown,
    Figure,
    Report,
    Row,
    Scope,
    known,
    suppress_rows,
    suppressed,
    unknowable,
)
from resettle.reports.periods import Period


def rows(*counts: int) -> tuple[Row, ...]:
    return tuple(Row(str(i), f"Value {i}", known(n)) for i, n in enumerate(counts))


def shown(rows_: tuple[Row, ...]) -> list[str]:
    return [row.cell.shown for row in rows_]


def test_one_small_cell_takes_the_next_smallest_with_it():
    assert shown(suppress_rows(rows(12, 3, 0, 7, 40))) == ["12", FEWER_THAN, "0", HIDDEN, "40"]


def test_two_small_cells_protect_each_other():
    assert shown(suppress_rows(rows(12, 3, 4, 40))) == ["12", FEWER_THAN, FEWER_THAN, "40"]


def test_zero_and_large_counts_are_shown():
    assert shown(suppress_rows(rows(0, 5, 1000))) == ["0", "5", "1,000"]


def report(exact: bool) -> Report:
    return Report(
        kind="test",
        title="Test",
        scope=Scope("organisation", "x", "Somewhere", frozenset()),
        period=Period(date(2026, 4, 1), date(2026, 6, 30)),
        exact=exact,
        figures=(
            Figure("small", "Small", "A count", known(2)),
            Figure("median", "Median days", "Days", known(2.0), is_count=False),
            Figure("none", "Nothing yet", "Days", unknowable("no data yet"), is_count=False),
        ),
        breakdowns=(Breakdown("b", "B", "By value", rows(1, 9, 9)),),
    )


def test_a_shared_report_hides_small_counts_but_not_medians():
    shared = suppressed(report(exact=False))

    assert [f.cell.shown for f in shared.figures] == [
        FEWER_THAN,
        "2.0",
        "Cannot be computed: no data yet",
    ]
    assert shared.figures[0].cell.count is None and shared.figures[0].cell.suppressed
    assert shown(shared.breakdowns[0].rows) == [FEWER_THAN, HIDDEN, "9"]
    assert "fewer than 5" in shared.suppression_note


def test_an_organisations_own_report_is_exact():
    own = suppressed(report(exact=True))

    assert own == report(exact=True)
    assert own.figures[0].cell.shown == "2"
    assert "exact" in own.suppression_note


def test_a_suppressed_cell_is_never_a_number():
    shared = suppressed(replace(report(exact=False)))
    assert all(row.cell.count is None for row in shared.breakdowns[0].rows if row.cell.suppressed)
