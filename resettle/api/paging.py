"""Numbered pages: `?page=` and `?page_size=` in, `count`, `count_is_exact`, `next`, `previous`,
`results` out.

A page is read as one slice with a row to spare (does a next page exist?), so the work per call
does not grow with the number of records. Counting is bounded the same way: at most
COUNT_LIMIT matching rows are counted, so a national organisation's list costs the same as a
small one's; past that, `count` is COUNT_LIMIT and `count_is_exact` is false."""

from collections.abc import Sequence
from types import GenericAlias
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from pydantic import Field

from resettle.api.base import ApiSchema
from resettle.api.errors import ApiProblem

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
COUNT_LIMIT = 10_000
# No list has rows this far in, and the databases cannot be asked for them: an offset is a 64-bit
# integer in SQLite and PostgreSQL alike.
MAX_OFFSET = 2**62


class PageParams(ApiSchema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 100."
    )


def page_schema(name: str, item: type[ApiSchema], doc: str = "") -> type[ApiSchema]:
    """The response schema for a page of `item` records."""
    return type(
        name,
        (ApiSchema,),
        {
            "__annotations__": {
                "count": int,
                "count_is_exact": bool,
                "next": str | None,
                "previous": str | None,
                # list[item], made at run time: `item` is a value here, not a type.
                "results": GenericAlias(list, (item,)),
            },
            "count": Field(
                description=f"How many records match, counted up to {COUNT_LIMIT:,}. Past that "
                "it is a lower bound and `count_is_exact` is false: narrow the filters, or "
                "follow `next` to the end."
            ),
            "__doc__": (doc or f"A page of {item.__name__} records.")
            + " `next` and `previous` are absolute URLs, or null at either end.",
        },
    )


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _bounded_count(items: QuerySet | Sequence) -> tuple[int, bool]:
    if not isinstance(items, QuerySet):
        return len(items), True
    # COUNT over a LIMITed subquery: the database stops after COUNT_LIMIT + 1 rows.
    counted = items.order_by()[: COUNT_LIMIT + 1].count()
    return min(counted, COUNT_LIMIT), counted <= COUNT_LIMIT


def paginate(
    request: HttpRequest,
    items: QuerySet | Sequence,
    params: PageParams,
    *,
    count: int | None = None,
) -> dict[str, Any]:
    """One page of `items` (a queryset is sliced in the database, never loaded whole).

    `count`, when the caller knows how many items there are more cheaply than counting the
    queryset (e.g. from an index), saves that query; it must be the exact number."""
    start = (params.page - 1) * params.page_size
    rows = list(items[start : start + params.page_size + 1]) if start < MAX_OFFSET else []
    if count is None:
        count, exact = _bounded_count(items)
    else:
        exact = True
    if not rows and params.page > 1:
        last = max(1, -(-count // params.page_size))
        raise ApiProblem(
            404,
            f"There is no page {params.page}; the last is {last}{'' if exact else ' or later'}.",
        )
    return {
        "count": count if exact else max(count, start + len(rows)),
        "count_is_exact": exact,
        "next": _page_url(request, params.page + 1) if len(rows) > params.page_size else None,
        "previous": _page_url(request, params.page - 1) if params.page > 1 else None,
        "results": rows[: params.page_size],
    }
