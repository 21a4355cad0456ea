from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from resettle.access.tests.matrix.oracle import Rule
from resettle.access.tests.matrix.scenario import Records


@dataclass(frozen=True)
class Decision:
    """What a route is about (which record its parameters name) and who may use it.

    `about`: the Records attribute the route's `pk` names ("person", "household", or a name an
    area module adds to `Records.extra`). `methods`: for pages, which methods the matrix sends
    (writes are also sent as an empty POST). `query` and `body` build the query string or JSON
    body from the scope's records."""

    rule: Rule
    about: str = "none"
    methods: tuple[str, ...] = ("GET",)
    query: Callable[[Records], dict[str, Any]] | None = None
    body: Callable[[Records], dict[str, Any]] | None = None
