"""A page's list, prepared once per principal shape.

A list such as a worker's live cases is the access rules' conditions for the principal and the
page's own filters. Built with the ORM on every request, its querysets and their SQL cost more
Python than the database takes to answer. The rules' SQL rests only on the principal's shape
(`Principal.shape`: the membership and organisation as stored, the agreement terms in force and
the day), which is already how the people a principal may see are shared between requests
(`compiled.shared_compiled`). So a list whose own filters rest on the day alone, and take every
other value as a `Param`, is built and compiled once per shape and run with new values, as a
`Prepared` query is. Under test every run builds again and must give the SQL kept, so a rule
that came to rest on something the shape leaves out fails the tests instead of serving stale SQL.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from django.db.models import QuerySet

from resettle.access.core import Actor, access_for
from resettle.core.prepared import Prepared

# Forms kept per list, the least recently used given up first: a shape is a membership on a day,
# so this is the members at work today times the forms of the list each uses. Each holds its
# queryset and compiler (tens of kilobytes).
KEPT = 1024


class PreparedForShape:
    """`build(actor, on, *variant)` gives the list's queryset, with a `Param` for each value that
    is not the day's; `variant` picks among its forms (an ordering, which filters apply), each
    prepared apart. Calling this with the actor, the day, the variant and the values gives its
    rows; `count` how many there are, and `rows` both, as a paginator reads a queryset."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._kept: OrderedDict[tuple, dict[tuple[str, str], Any]] = OrderedDict()

    def __call__(
        self,
        actor: Actor,
        on: date,
        *variant: Hashable,
        page: tuple[int, int] | None = None,
        **values: Any,
    ) -> list:
        return self._prepared(actor, on, variant, page)(**values)

    def count(self, actor: Actor, on: date, *variant: Hashable, **values: Any) -> int:
        return self._prepared(actor, on, variant, None).count(**values)

    def rows(self, actor: Actor, on: date, *variant: Hashable, **values: Any) -> "PreparedRows":
        return PreparedRows(self, actor, on, variant, values)

    def _prepared(
        self, actor: Actor, on: date, variant: tuple, page: tuple[int, int] | None
    ) -> Prepared:
        def build() -> QuerySet:
            queryset = self.build(actor, on, *variant)
            return queryset if page is None else queryset[page[0] : page[1]]

        shape = access_for(actor).principal.shape(on)
        if shape is None:
            return Prepared(build)  # compiled for this request alone
        key = (shape, variant, page)
        kept = self._kept.pop(key, None)
        if kept is None:
            kept = {}
            if len(self._kept) >= KEPT:
                self._kept.popitem(last=False)
        self._kept[key] = kept  # the most recently used last
        return Prepared(build, kept=kept)


class PreparedRows:
    """A prepared list's rows as Django's `Paginator` reads a queryset: counted, then sliced to
    one page (each page prepared once per shape, its bounds being part of the SQL)."""

    def __init__(
        self, prepared: PreparedForShape, actor: Actor, on: date, variant: tuple, values: dict
    ) -> None:
        self._prepared, self._actor, self._on = prepared, actor, on
        self._variant, self._values = variant, values

    def count(self) -> int:
        return self._prepared.count(self._actor, self._on, *self._variant, **self._values)

    def __getitem__(self, page: slice) -> list:
        if not isinstance(page, slice) or page.step is not None:
            raise TypeError("A prepared list is read a page at a time: slice it, [start:stop].")
        bounds = (page.start or 0, page.stop)
        return self._prepared(self._actor, self._on, *self._variant, page=bounds, **self._values)
