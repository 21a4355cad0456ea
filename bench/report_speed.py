"""The quarterly return at scale, against a plain hand-written DuckDB query over an export of the
same data: the report must take no more than 1.5 times as long, and give the same figures.

    .venv/bin/python bench/report_speed.py --people 2000
    DATABASE_URL=postgres://…/resettle_1m .venv/bin/python bench/report_speed.py

It uses the database `make bench` prepared (run that first). The report is the whole
partnership's return for the last ended quarter, computed as the reports page computes it. The
export (the tables the figures need, written to Parquet with pyarrow) is not timed: it stands for
the warehouse copy an analyst would query. The DuckDB query computes the headline figures and the
ethnicity, sex and age breakdowns. Each side runs three times; the medians are compared, and the
result is written to bench/results/<date>-<db>-<size>-reports.json.
"""

import argparse
import json
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.profile_pages import configure  # noqa: E402

RUNS = 3
LIMIT = 1.5
EXPORT = ROOT / "bench" / ".data" / "report-export"


def timed(work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _write(name: str, rows, columns: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None

    def flush(batch: list[tuple]) -> None:
        nonlocal writer
        data = {
            column: [str(v) if hasattr(v, "hex") else v for v in values]
            for column, values in zip(columns, zip(*batch, strict=True), strict=True)
        }
        table = pa.table(data)
        if writer is None:
            writer = pq.ParquetWriter(EXPORT / f"{name}.parquet", table.schema)
        writer.write_table(table)

    batch: list[tuple] = []
    for row in rows.iterator(chunk_size=50_000):
        batch.append(row)
        if len(batch) >= 200_000:
            flush(batch)
            batch = []
    if batch or writer is None:
        flush(batch or [tuple([None] * len(columns))])
    writer.close()


def export_tables() -> None:
    """The columns the figures need, as Parquet, read in chunks through the ORM (UUIDs as text)."""
    from resettle.cases.models import Case
    from resettle.contacts.models import Contact
    from resettle.people.models import Person
    from resettle.referrals.models import Referral
    from resettle.registers.models import Attendance

    EXPORT.mkdir(parents=True, exist_ok=True)
    exports = {
        "contacts": Contact.objects.values_list(
            "person_id", "organisation_id", "outcome", "happened_at"
        ),
        "attendance": Attendance.objects.filter(session__cancelled_at__isnull=True).values_list(
            "person_id", "session__service__organisation_id", "status", "session__starts_at"
        ),
        "people": Person.objects.values_list("id", "date_of_birth", "sex", "ethnicity"),
        "referrals": Referral.objects.values_list(
            "service__organisation_id", "state", "created_at"
        ),
        "cases": Case.objects.values_list("organisation_id", "opened_on", "closed_on"),
    }
    columns = {
        "contacts": ["person_id", "organisation_id", "outcome", "happened_at"],
        "attendance": ["person_id", "organisation_id", "status", "starts_at"],
        "people": ["id", "date_of_birth", "sex", "ethnicity"],
        "referrals": ["organisation_id", "state", "created_at"],
        "cases": ["organisation_id", "opened_on", "closed_on"],
    }
    for name, rows in exports.items():
        _write(name, rows.order_by(), columns[name])


DUCKDB_SQL = """
with attended as (
    select person_id, organisation_id, happened_at as seen_at from 'contacts.parquet'
    where outcome = 'attended' and list_contains($orgs, organisation_id)
    union all
    select person_id, organisation_id, starts_at from 'attendance.parquet'
    where status in ('attended', 'late', 'left_early')
      and list_contains($orgs, organisation_id)
),
supported as (select distinct person_id from attended where seen_at >= $first and seen_at < $after),
firsts as (select person_id, min(seen_at) as first_at from attended group by person_id)
select
    (select count(*) from 'referrals.parquet' where state <> 'draft'
        and list_contains($orgs, organisation_id)
        and created_at >= $first and created_at < $after) as referrals_received,
    (select count(*) from firsts where first_at >= $first and first_at < $after) as new_starts,
    (select count(*) from 'cases.parquet'
        where list_contains($orgs, organisation_id)
        and opened_on <= $end and (closed_on is null or closed_on > $end))
        as active_caseload_at_period_end,
    (select count(*) from supported) as people_supported,
    (select count(*) from attended where seen_at >= $first and seen_at < $after)
        as contacts_attended,
    (select list(struct_pack(value := ethnicity, n := n)) from (
        select ethnicity, count(*) as n from 'people.parquet'
        where id in (select person_id from supported) group by ethnicity)) as ethnicity,
    (select list(struct_pack(value := sex, n := n)) from (
        select sex, count(*) as n from 'people.parquet'
        where id in (select person_id from supported) group by sex)) as sex
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    args = parser.parse_args()
    configure(args.people)

    import duckdb
    from django.db import connection
    from django.utils import timezone

    from resettle.partnerships.models import Partnership
    from resettle.people.models import Person
    from resettle.reports.figures import Scope
    from resettle.reports.periods import quarter_bounds, quarter_of, quarter_period
    from resettle.reports.quarterly import quarterly_return

    today = timezone.localdate()
    quarter = quarter_of(quarter_bounds(quarter_of(today))[0] - timedelta(days=1))
    period = quarter_period(quarter, today=today)
    partnership = Partnership.objects.order_by("name").first()
    orgs = frozenset(partnership.organisations.values_list("pk", flat=True))
    scope = Scope("partnership", str(partnership.pk), partnership.name, orgs)
    people = Person.objects.count()

    report_time, report = timed(lambda: quarterly_return(scope=scope, period=period, exact=True))
    print(f"Quarterly return, {partnership.name}, {quarter}: {report_time * 1000:,.0f} ms")

    started = time.perf_counter()
    export_tables()
    export_time = time.perf_counter() - started
    print(f"Exported to Parquet in {export_time:,.1f} s (not timed against the report)")

    first = timezone.make_aware(datetime.combine(period.start, clock_time.min))
    after = first + timedelta(days=(period.end - period.start).days + 1)
    database = duckdb.connect()
    database.execute(f"set file_search_path = '{EXPORT}'")
    parameters = {
        "orgs": [str(o) for o in orgs],
        "first": first,
        "after": after,
        "end": period.end,
    }
    duck_time, duck = timed(lambda: database.execute(DUCKDB_SQL, parameters).fetchone())
    print(f"Hand-written DuckDB query: {duck_time * 1000:,.0f} ms")

    figures = {f.key: f.cell.count for f in report.figures}
    keys = [
        "referrals_received",
        "new_starts",
        "active_caseload_at_period_end",
        "people_supported",
        "contacts_attended",
    ]
    agree = {key: figures[key] == value for key, value in zip(keys, duck[: len(keys)], strict=True)}
    ratio = report_time / duck_time if duck_time else float("inf")
    result = {
        "date": date.today().isoformat(),
        "database": connection.vendor,
        "people": people,
        "quarter": quarter,
        "report_ms": round(report_time * 1000, 1),
        "duckdb_ms": round(duck_time * 1000, 1),
        "ratio": round(ratio, 2),
        "limit": LIMIT,
        "figures": {key: figures[key] for key in keys},
        "duckdb_figures": dict(zip(keys, duck[: len(keys)], strict=True)),
        "figures_agree": agree,
        "export_s": round(export_time, 1),
    }
    out = (
        ROOT / "bench" / "results" / f"{result['date']}-{result['database']}-{people}-reports.json"
    )
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"Report / DuckDB: {ratio:.2f} times (limit {LIMIT}); figures agree: {all(agree.values())}"
    )
    print(f"Written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
