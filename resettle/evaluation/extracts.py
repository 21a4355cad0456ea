"""The files export jobs build: the Justice Data Lab upload file, and the pseudonymised extract
for an external evaluator with its data dictionary (DESIGN §11).

An extract is a set of tables. Each names its columns (with what they mean, for the dictionary)
and reads its rows for the cohort's people through one function; instrument scores join the
extract as one more table."""

import csv
import hashlib
import hmac
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.utils import timezone
from openpyxl import Workbook

from resettle.evaluation.cohorts import JDL_COLUMNS, Member
from resettle.evaluation.disclosure import suppressed_counts, without_rare_values
from resettle.evaluation.selectors import ExtractSource
from resettle.people import choices

CSV = "text/csv"
ZIP = "application/zip"
NOT_RECORDED = "not_recorded"
AGE_BANDS = ((18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55-64"), (65, "65+"))


def pseudonym(secret: str, person_id: UUID) -> str:
    """A keyed hash of the person's id: the same in every extract of one evaluation, unrelated
    across evaluations, and not reversible without the evaluation's secret."""
    digest = hmac.new(secret.encode(), str(person_id).encode(), hashlib.sha256).hexdigest()
    return digest[:20]


def age_band(date_of_birth: date | None, on: date) -> str:
    if date_of_birth is None:
        return NOT_RECORDED
    age = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    if age < AGE_BANDS[0][0]:
        return "under 18"
    return [label for lowest, label in AGE_BANDS if age >= lowest][-1]


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.isoformat()


# The Justice Data Lab file ----------------------------------------------------------------------


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_as_xlsx(content: bytes, sheet: str) -> bytes:
    """The same rows as a one-sheet workbook, every cell text (dates stay DD/MM/YYYY, and
    identifiers keep their leading zeros)."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    for row in csv.reader(io.StringIO(content.decode())):
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def jdl_file(members: Iterable[Member]) -> bytes:
    """The upload file: JDL_COLUMNS, one row per qualifying person, dates as DD/MM/YYYY."""
    return _csv(JDL_COLUMNS, (m.jdl_row() for m in members if m.qualifies))


# The evaluator extract ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    values: str = ""


@dataclass(frozen=True)
class ExtractContext:
    source: ExtractSource
    pseudonym: Callable[[UUID], str]


@dataclass(frozen=True)
class Table:
    file_name: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[ExtractContext], list[list[Any]]]


PSEUDONYM = Column(
    "pseudonym",
    "The person's pseudonym: the same in every file of this evaluation, different in any other.",
)
RARE = "Values shared by fewer than 5 people show as 'suppressed (fewer than 5 people)'."


def _people_rows(context: ExtractContext) -> list[list[Any]]:
    source = context.source
    rows = []
    for member in source.members:
        person = source.people[member.person_id]
        engagement = source.engagement.get(member.person_id)
        rows.append(
            [
                context.pseudonym(member.person_id),
                age_band(person["date_of_birth"], member.support_start),
                person["sex"],
                person["ethnicity"],
                source.districts.get(member.person_id, NOT_RECORDED),
                member.support_start.isoformat(),
                "yes" if member.through_the_gate else "no",
                _iso(source.support_ends.get(member.person_id)),
                engagement.attended if engagement else 0,
                engagement.missed if engagement else 0,
                engagement.minutes if engagement else 0,
                source.sessions_attended.get(member.person_id, 0),
            ]
        )
    # Rare demographic values could single someone out.
    for column in (1, 2, 3, 4):
        for row, value in zip(rows, without_rare_values(r[column] for r in rows), strict=True):
            row[column] = value
    return rows


def _referral_rows(context: ExtractContext) -> list[list[Any]]:
    return [
        [
            context.pseudonym(r["person_id"]),
            r["pathway"],
            r["state"],
            r["decline_reason"],
            _iso(r["submitted_at"]),
            _iso(r["decided_at"]),
            _iso(r["ended_at"]),
        ]
        for r in context.source.referrals
    ]


PEOPLE = Table(
    "people.csv",
    "One row per person in the evaluation's cohort.",
    (
        PSEUDONYM,
        Column(
            "age_band",
            "Age at the start of support, in bands. " + RARE,
            "under 18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+, not_recorded",
        ),
        Column("sex", "Sex as recorded. " + RARE, ", ".join(choices.Sex.values)),
        Column(
            "ethnicity",
            "Ethnic group (ONS 2021 census categories). " + RARE,
            ", ".join(choices.Ethnicity.values),
        ),
        Column(
            "postcode_district",
            "The district (first half) of the current postcode. " + RARE,
            "e.g. NV1; not_recorded",
        ),
        Column("support_start", "First day of support in the cohort's range (ISO 8601 date)."),
        Column(
            "through_the_gate",
            "Whether support started while the person was in custody.",
            "yes, no",
        ),
        Column(
            "support_end",
            "When support ended: the last case closed. Blank while support continues.",
        ),
        Column("contacts_attended", "Contacts attended (meetings, calls, visits)."),
        Column("contacts_missed", "Contacts the person did not attend."),
        Column("minutes_attended", "Total recorded minutes of attended contacts."),
        Column(
            "sessions_attended",
            "Sessions of the organisation's services the person was at (attended, late or left "
            "early); an attended session counts as an attended contact.",
        ),
    ),
    _people_rows,
)
REFERRALS = Table(
    "referrals.csv",
    "One row per referral to the organisation's services for people in the cohort.",
    (
        PSEUDONYM,
        Column("pathway", "The resettlement pathway the referral was for."),
        Column("outcome", "The referral's state now (accepted, declined, completed, ...)."),
        Column("decline_reason", "The coded reason, where declined."),
        Column("submitted_on", "Date submitted (ISO 8601)."),
        Column("decided_on", "Date accepted or declined (ISO 8601)."),
        Column("ended_on", "Date the support the referral asked for ended (ISO 8601)."),
    ),
    _referral_rows,
)


def _score_rows(context: ExtractContext) -> list[list[Any]]:
    return [
        [
            context.pseudonym(a["person_id"]),
            a["instrument__code"],
            a["instrument__version"],
            a["timepoint"],
            _iso(a["completed_on"]),
            measure,
            score,
            (a["bands"] or {}).get(measure, ""),
        ]
        for a in context.source.assessments
        for measure, score in sorted((a["scores"] or {}).items())
    ]


SCORES = Table(
    "scores.csv",
    "One row per measure of each outcome assessment (baseline, reviews, exit, follow-ups) the "
    "organisation recorded for people in the cohort.",
    (
        PSEUDONYM,
        Column("instrument", "The instrument's code.", "ons4, physical_activity, ..."),
        Column("instrument_version", "Its version: compare like with like."),
        Column(
            "timepoint",
            "When in support it was taken.",
            "baseline, review, exit, follow_up_3m, follow_up_6m, follow_up_12m",
        ),
        Column("completed_on", "Date taken (ISO 8601)."),
        Column("measure", "What was scored (a question or the instrument's total)."),
        Column("score", "The score; blank when not answered or refused."),
        Column("band", "The band the instrument puts the score in, where it has bands."),
    ),
    _score_rows,
)
# The extract's tables, in order.
EXTRACT_TABLES: tuple[Table, ...] = (PEOPLE, REFERRALS, SCORES)


def data_dictionary(tables: Sequence[Table] = EXTRACT_TABLES) -> bytes:
    rows = [
        [table.file_name, column.name, column.description, column.values]
        for table in tables
        for column in table.columns
    ]
    rows.append(
        [
            "summary.csv",
            "count",
            "People in the cohort by sex and by age band; counts under 5 show as 'fewer than "
            "5', with a second count hidden where one alone would be.",
            "",
        ]
    )
    return _csv(("file", "column", "description", "values"), rows)


def summary_file(people_rows: list[list[Any]]) -> bytes:
    rows: list[list[str]] = []
    for label, column in (("sex", 2), ("age_band", 1)):
        counts = Counter(str(r[column]) for r in people_rows)
        for value, shown in suppressed_counts(dict(sorted(counts.items()))).items():
            rows.append([label, value, shown])
    rows.append(["total", "all", str(len(people_rows))])
    return _csv(("breakdown", "value", "count"), rows)


def extract_archive(
    context: ExtractContext,
    progress: Callable[[int], None],
    tables: Sequence[Table] = EXTRACT_TABLES,
) -> tuple[bytes, int]:
    """The zip of every table, the summary and the dictionary, and how many people it holds;
    `progress` is told the per cent done after each table."""
    buffer = io.BytesIO()
    people_rows: list[list[Any]] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, table in enumerate(tables, start=1):
            rows = table.rows(context)
            if table is PEOPLE:
                people_rows = rows
            archive.writestr(table.file_name, _csv([c.name for c in table.columns], rows))
            progress(round(90 * done / len(tables)))
        archive.writestr("summary.csv", summary_file(people_rows))
        archive.writestr("data_dictionary.csv", data_dictionary(tables))
    return buffer.getvalue(), len(context.source.members)
