"""One helper for list pages: the sortable column headers (MoJ sortable table, done on the
server as links so it works without JavaScript) and the page of rows, counted once.

    PEOPLE = Table(
        Column("name", "Name"),
        Column("date_of_birth", "Date of birth"),
        Column("updated", "Last updated", descending_only=True),
        per_page=25,
    )
    context = PEOPLE.context(request, people, ordering=filters["ordering"], count=known)

The list is filtered before it gets here (each list's filter form turns the query string into
its selector's arguments); `includes/sort_header.html` shows one header and
`includes/pagination.html` the GOV.UK pagination.

Counting a long list is the slow part, so a list that knows its size already (counted from
an index, or from figures shown on the page) passes `count` and the paginator never runs
`COUNT(*)` over the rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


@dataclass(frozen=True)
class Column:
    """A column the list can be sorted by. Its orderings are `key` (A to Z, oldest first) and
    `-key`; `newest_first` makes the first click sort descending (dates people want the latest
    of); `descending_only` is a column whose one ordering, `key` itself, is descending."""

    key: str
    label: str
    newest_first: bool = False
    descending_only: bool = False

    def orderings(self) -> dict[str, str]:
        """Each ordering of this column and how it reads to a screen reader (aria-sort)."""
        if self.descending_only:
            return {self.key: "descending"}
        return {self.key: "ascending", f"-{self.key}": "descending"}

    def first(self) -> str:
        return f"-{self.key}" if self.newest_first else next(iter(self.orderings()))


@dataclass(frozen=True)
class SortHeader:
    key: str
    label: str
    sort: str  # the ordering a click on the header asks for
    aria_sort: str  # ascending, descending or none


def sort_headers(columns: Sequence[Column], ordering: str) -> list[SortHeader]:
    """The headers for a list now in `ordering`: the sorted column says which way and turns
    the other way on a click; the others sort their first way."""
    headers = []
    for column in columns:
        orderings = column.orderings()
        if ordering in orderings:
            aria_sort = orderings[ordering]
            other = [o for o in orderings if o != ordering]
            next_sort = other[0] if other else ordering
        else:
            aria_sort, next_sort = "none", column.first()
        headers.append(SortHeader(column.key, column.label, next_sort, aria_sort))
    return headers


def page_of(request: HttpRequest, rows: Any, per_page: int, *, count: int | None = None) -> Page:
    """The page of `rows` that `?page=` asks for (the last for a number past the end, the first
    for one that is not a number). `count`, when the list's size is known, saves counting it."""
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


class Table:
    """A list page's sortable columns and page size."""

    def __init__(self, *columns: Column, per_page: int) -> None:
        self.columns = columns
        self.per_page = per_page

    def headers(self, ordering: str) -> list[SortHeader]:
        return sort_headers(self.columns, ordering)

    def page(self, request: HttpRequest, rows: Any, *, count: int | None = None) -> Page:
        return page_of(request, rows, self.per_page, count=count)

    def context(
        self, request: HttpRequest, rows: Any, *, ordering: str, count: int | None = None
    ) -> dict[str, Any]:
        """`page_obj` and `sort_headers`, as the list templates and the pagination include use."""
        return {
            "page_obj": self.page(request, rows, count=count),
            "sort_headers": self.headers(ordering),
        }
