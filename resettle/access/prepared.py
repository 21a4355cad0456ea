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

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import QuerySet

from resettle.access.core import Actor, access_for
from resettle.core.prepared import Prepared

# Shapes kept per list: a shape is a membership on a day, so this is the members at work today.
SHAPES_KEPT = 2048


class PreparedForShape:
    """`build(actor, on)` gives the list's queryset, with a `Param` for each value that is not
    the day's; calling this with the actor, the day and those values gives its rows."""

    def __init__(self, build: Callable[[Any, date], QuerySet]) -> None:
        self.build = build
        self._kept: dict[str, dict[tuple[str, str], Any]] = {}

    def __call__(self, actor: Actor, on: date, **values: Any) -> list:
        shape = access_for(actor).principal.shape(on)
        if shape is None:
            kept = None  # compiled for this request alone
        else:
            if shape not in self._kept and len(self._kept) >= SHAPES_KEPT:
                self._kept.clear()
            kept = self._kept.setdefault(shape, {})
        return Prepared(lambda: self.build(actor, on), kept=kept)(**values)
