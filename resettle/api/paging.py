"""Numbered pages: `?page=` and `?page_size=` in, `count`, `next`, `previous`, `results` out."""

from collections.abc import Sequence
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from resettle.api.errors import ApiProblem

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageParams(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 100."
    )


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


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
    paginator = Paginator(items, params.page_size)
    if count is not None:
        paginator.count = count
    try:
        page = paginator.page(params.page)
    except EmptyPage as exc:
        raise ApiProblem(
            404, f"There is no page {params.page}; the last is {paginator.num_pages}."
        ) from exc
    return {
        "count": paginator.count,
        "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
        "previous": (
            _page_url(request, page.previous_page_number()) if page.has_previous() else None
        ),
        "results": list(page.object_list),
    }
