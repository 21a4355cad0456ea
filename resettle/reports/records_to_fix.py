"""The records behind the data quality report's counts, one list for each kind of gap, so the
organisation can reach and fix them. Each list is its own organisation's, counted as the report
counts it (data_quality.Counter), and names only the records the user may open: the records of
other organisations are never listed, whatever the report the link came from."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, OrderBy, QuerySet

from resettle.access.categories import Category
from resettle.access.registry import category_of
from resettle.reports.data_quality import (
    LATE_AFTER_DAYS,
    OUTCOME,
    PERSON_FIELDS,
    QUIET_DAYS,
    Counter,
)
from resettle.web.tables import Column, Table

PAGE_SIZE = 25

PEOPLE, CASES, CONTACTS, PAIRS = "people", "cases", "contacts", "pairs"

# How each kind of list may be sorted: the key a column header asks for, and its ordering.
ORDERINGS: dict[str, dict[str, tuple[str | OrderBy, ...]]] = {
    PEOPLE: {
        "name": ("family_name", "given_name", "pk"),
        "-name": ("-family_name", "-given_name", "pk"),
        "date_of_birth": (F("date_of_birth").asc(nulls_last=True), "family_name", "pk"),
        "-date_of_birth": (F("date_of_birth").desc(nulls_last=True), "family_name", "pk"),
        "updated": ("-updated_at", "pk"),
    },
    CASES: {
        "name": ("person__family_name", "person__given_name", "pk"),
        "-name": ("-person__family_name", "-person__given_name", "pk"),
        "opened": ("opened_on", "pk"),
        "-opened": ("-opened_on", "pk"),
        "closed": (F("closed_on").asc(nulls_last=True), "pk"),
        "-closed": (F("closed_on").desc(nulls_last=True), "pk"),
    },
    CONTACTS: {
        "name": ("person__family_name", "person__given_name", "-happened_at", "pk"),
        "-name": ("-person__family_name", "-person__given_name", "-happened_at", "pk"),
        "happened": ("happened_at", "pk"),
        "-happened": ("-happened_at", "pk"),
        "recorded": ("created_at", "pk"),
        "-recorded": ("-created_at", "pk"),
    },
}
ORDERINGS[PAIRS] = ORDERINGS[PEOPLE]

PEOPLE_TABLE = Table(
    Column("name", "Name"),
    Column("date_of_birth", "Date of birth"),
    Column("updated", "Last updated", descending_only=True),
    per_page=PAGE_SIZE,
)
PAIRS_TABLE = Table(
    Column("name", "Name"),
    Column("date_of_birth", "Date of birth"),
    per_page=PAGE_SIZE,
)
CLOSED_TABLE = Table(
    Column("name", "Name"),
    Column("opened", "Opened", newest_first=True),
    Column("closed", "Closed", newest_first=True),
    per_page=PAGE_SIZE,
)
QUIET_TABLE = Table(
    Column("name", "Name"),
    Column("opened", "Opened", newest_first=True),
    per_page=PAGE_SIZE,
)
CONTACTS_TABLE = Table(
    Column("name", "Name"),
    Column("happened", "Happened", newest_first=True),
    Column("recorded", "Recorded", newest_first=True),
    per_page=PAGE_SIZE,
)


@dataclass(frozen=True)
class Problem:
    """One kind of gap in the records: what it lists, how, and what reading the list is."""

    key: str  # the data quality report's figure or breakdown it is behind
    slug: str
    title: str
    definition: str
    lists: str  # PEOPLE, CASES, CONTACTS or PAIRS
    table: Table
    default_sort: str
    # The records of the problem among `records` (those the user may open), or all of them.
    records: Callable[[Counter, QuerySet | None], QuerySet]
    # What the list is a read of, for the audit trail, and whose records the user may open for
    # it: only someone who may read a person's addresses is told they have none.
    category: str
    # Where the record is fixed, and what the link says.
    fix_url: str
    fix_text: str

    @property
    def url_name(self) -> str:
        return f"data_quality_records_{self.slug.replace('-', '_')}"


def _missing(key: str) -> Callable[[Counter, QuerySet | None], QuerySet]:
    return lambda counter, people: counter.incomplete(key, people)


_MISSING = {
    "date_of_birth": ("no-date-of-birth", "People without a date of birth", "people:edit"),
    "ethnicity": ("no-ethnicity", "People without an ethnic group recorded", "people:edit"),
    "sex": ("no-sex", "People whose sex is not recorded", "people:edit"),
    "identifier": ("no-identifier", "People without an identifier", "people:edit"),
    "postcode": ("no-current-address", "People without a current address", "people:add_address"),
}
# Whether someone has a criminal-justice identifier, or an address, is told only to a user who
# may read them: the list of people without one is a read of them.
_CATEGORIES = {
    "identifier": Category.CRIMINAL_JUSTICE_IDS,
    "postcode": Category.CONTACT,
}
_FIX_TEXTS = {"people:edit": "Change the record", "people:add_address": "Add an address"}

PROBLEMS: tuple[Problem, ...] = (
    *(
        Problem(
            key=key,
            slug=slug,
            title=title,
            definition=f"People worked with in the period whose record is not complete: "
            f"complete when {rule}.",
            lists=PEOPLE,
            table=PEOPLE_TABLE,
            default_sort="name",
            records=_missing(key),
            category=_CATEGORIES.get(key, Category.IDENTITY),
            fix_url=fix_url,
            fix_text=_FIX_TEXTS[fix_url],
        )
        for key, (slug, title, fix_url) in _MISSING.items()
        for rule in [PERSON_FIELDS[key][1]]
    ),
    Problem(
        key=OUTCOME,
        slug="closed-without-outcome",
        title="Cases closed without an outcome recorded",
        definition="Cases closed in the period for which the outcome of the support (why it "
        "ended, each goal rated) was not recorded.",
        lists=CASES,
        table=CLOSED_TABLE,
        default_sort="-closed",
        records=lambda counter, cases: counter.closed_without_outcome(cases),
        category=category_of("outcomes.EndOfSupport", "case"),
        fix_url="outcomes:end_of_support",
        fix_text="Record the outcome",
    ),
    Problem(
        key="contacts_entered_late",
        slug="contacts-entered-late",
        title=f"Contacts entered more than {LATE_AFTER_DAYS} days late",
        definition=f"Attended contacts in the period recorded more than {LATE_AFTER_DAYS} days "
        "after they happened. Check the day each is recorded as happening is right.",
        lists=CONTACTS,
        table=CONTACTS_TABLE,
        default_sort="-happened",
        records=lambda counter, contacts: counter.late_contacts(contacts),
        category=category_of("contacts.Contact", "happened_at"),
        fix_url="contacts:detail",
        fix_text="View the contact",
    ),
    Problem(
        key="cases_without_recent_contact",
        slug="open-cases-without-contact",
        title=f"Open cases with no contact in {QUIET_DAYS} days",
        definition=f"Cases open on the last day of the period with no attended contact or "
        f"session in the {QUIET_DAYS} days up to it: close or pause those that have ended, or "
        "get back in touch.",
        lists=CASES,
        table=QUIET_TABLE,
        default_sort="opened",
        records=lambda counter, cases: counter.quiet_cases(cases),
        category=category_of("contacts.Contact", "happened_at"),
        fix_url="cases:detail",
        fix_text="View the case",
    ),
    Problem(
        key="possible_duplicate_pairs",
        slug="possible-duplicates",
        title="Possible duplicate records",
        definition="People worked with in the period who share a date of birth and whose names "
        "sound alike: each is listed with the records that may be the same person. Records to "
        "look at, not confirmed duplicates.",
        lists=PAIRS,
        table=PAIRS_TABLE,
        default_sort="name",
        records=lambda counter, people: counter.with_later_look_alikes(people),
        category=Category.IDENTITY,
        fix_url="people:detail",
        fix_text="View the record",
    ),
)
BY_SLUG = {problem.slug: problem for problem in PROBLEMS}
BY_KEY = {problem.key: problem for problem in PROBLEMS}
