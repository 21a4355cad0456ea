"""The quarterly return at scale, against a plain hand-written DuckDB query over an export of the
same data: the report must take no more than 1.5 times as long, and give the same figures.

    .venv/bin/python bench/report_speed.py --people 2000
    DATABASE_URL=postgres://…/resettle_1m .venv/bin/python bench/report_speed.py

It uses the database `make bench` prepared (run that first). The report is the whole
partnership's return for the last ended quarter, computed as the reports page computes it. The
export (the tables the figures need, written to Parquet with pyarrow) is not timed: it stands for
the warehouse copy an analyst would query. The DuckDB queries compute every figure and breakdown
of the return (a table of the scope's attended contacts and sessions, then one query each), and
each is compared with the report's. Each side runs three times; the medians are compared, and
the result is written to bench/results/<date>-<db>-<size>-reports.json.
"""

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dateutil.relativedelta import relativedelta  # noqa: E402

from bench.profile_pages import configure  # noqa: E402

RUNS = 3
LIMIT = 1.5
DATA = ROOT / "bench" / ".data"


def timed(work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _write(export: Path, name: str, rows, columns: list[str]) -> None:
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
            writer = pq.ParquetWriter(export / f"{name}.parquet", table.schema)
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


def export_tables(export: Path) -> None:
    """The columns the figures need, as Parquet, read in chunks through the ORM (UUIDs as text)."""
    from resettle.cases.models import Case
    from resettle.contacts.models import Contact
    from resettle.custody.models import CustodyPeriod
    from resettle.outcomes.models import Assessment
    from resettle.people.models import Address, HouseholdMember, Person, Relationship
    from resettle.referrals.models import Referral
    from resettle.registers.models import Attendance, Session

    export.mkdir(parents=True, exist_ok=True)
    exports = {
        "contacts": Contact.objects.values_list(
            "person_id", "organisation_id", "outcome", "happened_at"
        ),
        "attendance": Attendance.objects.filter(session__cancelled_at__isnull=True).values_list(
            "person_id", "session__service__organisation_id", "status", "session__starts_at"
        ),
        "sessions": Session.objects.filter(cancelled_at__isnull=True).values_list(
            "service__organisation_id", "starts_at", "unregistered_headcount"
        ),
        "people": Person.objects.values_list(
            "id", "date_of_birth", "sex", "gender_identity", "ethnicity", "disability"
        ),
        "referrals": Referral.objects.values_list(
            "person_id",
            "service__organisation_id",
            "referring_organisation__name",
            "pathway",
            "state",
            "created_at",
        ),
        "cases": Case.objects.values_list("organisation_id", "opened_on", "closed_on"),
        "custody": CustodyPeriod.objects.values_list("person_id"),
        "relationships": Relationship.objects.values_list("person_id", "related_person_id"),
        "household_members": HouseholdMember.objects.values_list("household_id", "person_id"),
        "addresses": Address.objects.filter(to_date__isnull=True).values_list(
            "person_id", "postcode", "kind", "from_date", "created_at"
        ),
        "assessments": Assessment.objects.values_list(
            "organisation_id",
            "person_id",
            "instrument__code",
            "instrument__name",
            "timepoint",
            "completed_on",
        ),
    }
    columns = {
        "contacts": ["person_id", "organisation_id", "outcome", "happened_at"],
        "attendance": ["person_id", "organisation_id", "status", "starts_at"],
        "sessions": ["organisation_id", "starts_at", "unregistered_headcount"],
        "people": ["id", "date_of_birth", "sex", "gender_identity", "ethnicity", "disability"],
        "referrals": [
            "person_id",
            "organisation_id",
            "source_name",
            "pathway",
            "state",
            "created_at",
        ],
        "cases": ["organisation_id", "opened_on", "closed_on"],
        "custody": ["person_id"],
        "relationships": ["person_id", "related_person_id"],
        "household_members": ["household_id", "person_id"],
        "addresses": ["person_id", "postcode", "kind", "from_date", "created_at"],
        "assessments": [
            "organisation_id",
            "person_id",
            "instrument_code",
            "instrument_name",
            "timepoint",
            "completed_on",
        ],
    }
    for name, rows in exports.items():
        _write(export, name, rows.order_by(), columns[name])


# The same figures as the report, as an analyst would write them over the export: the scope's
# attended contacts and sessions and its received referrals as tables, then one query per figure
# or breakdown. Local days are Europe/London, as the app's.
DUCKDB_VIEWS = """
create or replace temp table seen as
    select person_id, organisation_id, happened_at as seen_at from 'contacts.parquet'
    where outcome = 'attended' and list_contains($orgs, organisation_id)
    union all
    select person_id, organisation_id, starts_at from 'attendance.parquet'
    where status in ('attended', 'late', 'left_early') and list_contains($orgs, organisation_id);
create or replace temp table attended as
    select * from seen where seen_at >= $first and seen_at < $after;
create or replace temp table supported as select distinct person_id from attended;
create or replace temp table received as
    select * from 'referrals.parquet'
    where state <> 'draft' and list_contains($orgs, organisation_id)
      and created_at >= $first and created_at < $after;
"""
DUCKDB_FIGURES = {
    "referrals_received": "select count(*) from received",
    "new_starts": """
        select count(*) from (select person_id, min(seen_at) as first_at from seen
            where person_id in (select person_id from supported) group by person_id)
        where first_at >= $first""",
    "active_caseload_at_period_end": """
        select count(*) from 'cases.parquet' where list_contains($orgs, organisation_id)
        and opened_on <= $end and (closed_on is null or closed_on > $end)""",
    "people_supported": "select count(*) from supported",
    "secondary_beneficiaries": """
        with leavers as (select distinct person_id from 'custody.parquet'),
        family as (
            select r.person_id from 'relationships.parquet' r
                join leavers l on l.person_id = r.related_person_id
            union select r.related_person_id from 'relationships.parquet' r
                join leavers l on l.person_id = r.person_id
            union select mine.person_id from 'household_members.parquet' mine
                join 'household_members.parquet' theirs using (household_id)
                join leavers l on l.person_id = theirs.person_id)
        select count(*) from supported
        where person_id in (select person_id from family)
          and person_id not in (select person_id from leavers)""",
    "contacts_attended": "select count(*) from attended",
    "sessions_attended": """
        select count(*) from 'attendance.parquet' where list_contains($orgs, organisation_id)
        and status in ('attended', 'late', 'left_early')
        and starts_at >= $first and starts_at < $after""",
    "unregistered_headcount": """
        select coalesce(sum(unregistered_headcount), 0) from 'sessions.parquet'
        where list_contains($orgs, organisation_id) and starts_at >= $first and starts_at < $after
    """,
    "median_days_to_first_contact": """
        select median(date_diff('day', timezone('Europe/London', r.created_at)::date,
                                timezone('Europe/London', f.first_at)::date))
        from (select r.rowid as referral, min(s.seen_at) as first_at
              from received r join seen s
                on s.person_id = r.person_id and s.organisation_id = r.organisation_id
               and s.seen_at >= r.created_at
              group by r.rowid) f join received r on r.rowid = f.referral""",
    "supported_by_more_than_one": """
        select count(*) from (select person_id from attended group by person_id
            having count(distinct organisation_id) > 1)""",
}
DUCKDB_BREAKDOWNS = {
    "age_band": """
        select case when date_of_birth is null then 'not_recorded'
            when date_of_birth <= $age_65 then '65_and_over'
            when date_of_birth <= $age_55 then '55_64'
            when date_of_birth <= $age_45 then '45_54'
            when date_of_birth <= $age_35 then '35_44'
            when date_of_birth <= $age_25 then '25_34'
            when date_of_birth <= $age_18 then '18_24'
            else 'under_18' end, count(*)
        from 'people.parquet' where id in (select person_id from supported) group by 1""",
    **{
        field: f"""select {field}, count(*) from 'people.parquet'
            where id in (select person_id from supported) group by 1"""  # noqa: S608 (a column)
        for field in ("sex", "gender_identity", "ethnicity", "disability")
    },
    "area": """
        with current as (select person_id, postcode, kind, row_number() over (
                partition by person_id order by from_date desc nulls last, created_at desc) as n
            from 'addresses.parquet')
        select case when c.kind = 'no_fixed_abode' then 'no_fixed_abode'
            when trim(coalesce(c.postcode, '')) = '' then 'not_recorded'
            else upper(split_part(trim(c.postcode), ' ', 1)) end, count(*)
        from supported s left join current c on c.person_id = s.person_id and c.n = 1
        group by 1""",
    "referral_pathway": "select pathway, count(*) from received group by 1",
    "source_organisation": "select source_name, count(*) from received group by 1",
    "referral_state": "select state, count(*) from received group by 1",
    "destination_organisation": "select organisation_id, count(*) from received group by 1",
    "people_supported_by_organisation": """
        select organisation_id, count(distinct person_id) from attended group by 1""",
    "trend_people_supported": """
        select q.label, count(distinct s.person_id)
        from (select unnest($quarters, recursive := true)) q
        join seen s on s.seen_at >= q.first and s.seen_at < q.after group by 1""",
    "trend_referrals_received": """
        select q.label, count(*) from (select unnest($quarters, recursive := true)) q
        join 'referrals.parquet' r on r.created_at >= q.first and r.created_at < q.after
        where r.state <> 'draft' and list_contains($orgs, r.organisation_id) group by 1""",
    "outcomes": """
        with done as (select * from 'assessments.parquet'
            where list_contains($orgs, organisation_id) and completed_on <= $end
              and person_id in (select person_id from supported))
        select later.instrument_name, count(distinct later.person_id) from done later
        where later.timepoint in ('review', 'exit') and exists (select 1 from done base
            where base.timepoint = 'baseline' and base.person_id = later.person_id
              and base.instrument_code = later.instrument_code
              and base.completed_on <= later.completed_on)
        group by 1""",
}


def duckdb_figures(database, parameters: dict) -> tuple[dict, dict]:
    """Every figure and breakdown of the return, by the hand-written queries."""

    def run(sql: str):
        used = {k: v for k, v in parameters.items() if f"${k}" in sql}
        return database.execute(sql, used)

    for statement in DUCKDB_VIEWS.split(";"):
        if statement.strip():
            run(statement)
    figures = {key: run(sql).fetchone()[0] for key, sql in DUCKDB_FIGURES.items()}
    breakdowns = {
        key: {str(value): n for value, n in run(sql).fetchall() if n}
        for key, sql in DUCKDB_BREAKDOWNS.items()
    }
    return figures, breakdowns


def report_figures(report) -> tuple[dict, dict]:
    """The report's figures and breakdowns in the shape `duckdb_figures` gives (rows of 0 left
    out; the breakdowns by organisation keyed by its id)."""
    figures = {f.key: f.cell.count for f in report.figures}
    breakdowns = {
        b.key: {row.value: row.cell.count for row in b.rows if row.cell.count}
        for b in report.breakdowns
    }
    return figures, breakdowns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument(
        "--reuse-export",
        action="store_true",
        help="use the Parquet export an earlier run wrote (of the same database) instead of "
        "writing it again",
    )
    args = parser.parse_args()
    configure(args.people)

    import duckdb
    from django.db import connection
    from django.utils import timezone

    from resettle.partnerships.models import Partnership
    from resettle.people.models import Person
    from resettle.reports.figures import Scope
    from resettle.reports.periods import quarter_bounds, quarter_of, quarter_period, start_of
    from resettle.reports.quarterly import AGE_BANDS, quarterly_return, trend_quarters

    AGE_YEARS = [years for _, _, years in AGE_BANDS if years]

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
    # One export per database and size, so a rerun on another may not read this one's.
    export = DATA / f"report-export-{connection.vendor}-{people}"
    if args.reuse_export and (export / "contacts.parquet").exists():
        print("Reusing the Parquet export of an earlier run")
    else:
        export_tables(export)
        print(f"Exported to Parquet in {time.perf_counter() - started:,.1f} s (not timed)")
    export_time = time.perf_counter() - started

    first, after = start_of(period.start), start_of(period.after)
    trend = [
        {"label": q, "first": start_of(s), "after": start_of(min(e, period.end) + timedelta(1))}
        for q, (s, e) in ((q, quarter_bounds(q)) for q in trend_quarters(period))
    ]
    parameters = {
        "orgs": [str(o) for o in orgs],
        "first": first,
        "after": after,
        "end": period.end,
        "quarters": trend,
        **{f"age_{years}": period.end - relativedelta(years=years) for years in AGE_YEARS},
    }
    database = duckdb.connect()
    database.execute(f"set file_search_path = '{export}'")
    duck_time, duck = timed(lambda: duckdb_figures(database, parameters))
    print(f"Hand-written DuckDB queries: {duck_time * 1000:,.0f} ms")

    ours = report_figures(report)
    differ = [
        key
        for side in (0, 1)
        for key in duck[side]
        if _same(duck[side][key]) != _same(ours[side].get(key))
    ]
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
        "figures": ours[0],
        "duckdb_figures": duck[0],
        "figures_compared": len(duck[0]) + len(duck[1]),
        "figures_that_differ": differ,
        "export_s": round(export_time, 1),
    }
    out = (
        ROOT / "bench" / "results" / f"{result['date']}-{result['database']}-{people}-reports.json"
    )
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"Report / DuckDB: {ratio:.2f} times (limit {LIMIT})")
    print(
        f"Figures and breakdowns compared: {result['figures_compared']}; "
        f"differing: {', '.join(differ) or 'none'}"
    )
    print(f"Written {out.relative_to(ROOT)}")


def _same(value):
    """Figures compare as numbers (a median may be 12 or 12.0); breakdowns as dicts of them."""
    if isinstance(value, dict):
        return {str(k): float(v) for k, v in value.items()}
    return None if value is None else float(value)


if __name__ == "__main__":
    main()
