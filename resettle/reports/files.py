"""A report as a file: CSV, XLSX or ODS, each carrying the parameters, the small-number rule and
every definition, so a figure never travels without what it means."""

import tablib

from resettle.lib.spreadsheet import spreadsheet_text as text
from resettle.reports.figures import FILTERS_APPLY, Report

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _about(report: Report) -> list[tuple[str, str]]:
    return [
        ("Report", report.title),
        ("Scope", f"{report.scope.name} ({report.scope.kind})"),
        ("Period", report.period.label),
        ("Filters", report.scope.filters.label),
        ("How filters apply", FILTERS_APPLY if report.scope.filters else ""),
        ("Start", report.period.start.isoformat()),
        ("End", report.period.end.isoformat()),
        ("Made at", report.made_at.isoformat(timespec="seconds") if report.made_at else ""),
        ("Small numbers", report.suppression_note),
    ]


def _count(cell) -> int | float | str:
    return "" if cell.count is None else cell.count


def book(report: Report) -> tablib.Databook:
    about = tablib.Dataset(
        *[(item, text(value)) for item, value in _about(report)],
        headers=["Item", "Value"],
        title="About",
    )
    figures = tablib.Dataset(
        *[(f.label, _count(f.cell), f.cell.shown, f.definition) for f in report.figures],
        headers=["Figure", "Count", "Shown as", "Definition"],
        title="Figures",
    )
    breakdowns = tablib.Dataset(
        *[
            (b.label, text(row.label), _count(row.cell), row.cell.shown)
            for b in report.breakdowns
            for row in b.rows
        ],
        headers=["Breakdown", "Value", "Count", "Shown as"],
        title="Breakdowns",
    )
    definitions = tablib.Dataset(
        *[(f.label, f.definition) for f in report.figures]
        + [(b.label, b.definition) for b in report.breakdowns],
        headers=["Term", "Definition"],
        title="Definitions",
    )
    return tablib.Databook([about, figures, breakdowns, definitions])


def flat(report: Report) -> tablib.Dataset:
    """One table for CSV: the parameters, then each figure and breakdown row with its definition."""
    rows: list[tuple[object, ...]] = [
        ("About", item, "", text(value), "") for item, value in _about(report)
    ]
    rows += [
        ("Figure", f.label, _count(f.cell), f.cell.shown, f.definition) for f in report.figures
    ]
    rows += [
        (b.label, text(row.label), _count(row.cell), row.cell.shown, b.definition)
        for b in report.breakdowns
        for row in b.rows
    ]
    return tablib.Dataset(*rows, headers=["Section", "Item", "Count", "Shown as", "Definition"])


def export(report: Report, file_format: str) -> bytes:
    if file_format == "csv":
        return flat(report).export("csv").encode("utf-8-sig")
    return book(report).export(file_format)


def file_name(report: Report, file_format: str) -> str:
    period = report.period.quarter or f"{report.period.start}_to_{report.period.end}"
    scope = "".join(c if c.isalnum() else "-" for c in report.scope.name.lower()).strip("-")
    return f"{report.kind}_{scope}_{period}.{file_format}"
