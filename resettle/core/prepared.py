"""Queries built and compiled once per process, then run with new values.

Django builds a queryset (filters resolved into lookups and joins) and compiles it to SQL every
time it is evaluated: for a plain look-up by key that is 0.3-0.6 ms of Python, more than the
database takes to answer. The statements every signed-in request runs (its session, its
membership, its two-factor device, its unread notifications) cost a page a few milliseconds
that way. A `Prepared` query is built once per database with a `Param` where each value goes;
each run only converts the values and hands Django's own iterables the SQL kept, so the rows
come back exactly as the queryset would give them (model instances, related objects joined by
`select_related`, or values).

Only for querysets whose SQL does not depend on the values (no `__in` lists, no `None` turning
`=` into `IS NULL`): the shape is fixed when it is built. Under test every run builds and
compiles afresh and must give the same SQL as the one kept.
"""

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, Field, QuerySet
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Slot:
    """Where a value goes among a compiled statement's parameters."""

    name: str
    field: Field = dataclasses.field(compare=False)  # a build may make its own (`DateField()`)


class Param(Expression):
    """A value given each time a prepared query runs, converted as `field` converts it."""

    def __init__(self, name: str, field: Field) -> None:
        super().__init__(output_field=field)
        self.name = name

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, list]:
        return "%s", [_Slot(self.name, self.output_field)]


class _Query:
    """The queryset's query, as Django's iterables see it, with this run's compiler."""

    def __init__(self, query: Any, compiler: SQLCompiler) -> None:
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True):
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._query, name)


class _Run:
    """What Django's iterables read of a queryset, for one run."""

    def __init__(self, queryset: QuerySet, compiler: SQLCompiler, alias: str) -> None:
        self.model = queryset.model
        self.db = alias
        self.query = _Query(queryset.query, compiler)
        # What Django keeps on a queryset, not in its type stubs.
        self._fields = queryset._fields  # type: ignore[attr-defined]
        self._known_related_objects = queryset._known_related_objects  # type: ignore[attr-defined]


# The SQL of a query that can match nothing (`none()`, or a rule that lets the actor see no one):
# it is not run.
NOTHING = ""


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: SQLCompiler
    sql: str
    params: tuple


class Prepared:
    """`build()` gives the queryset, with `Param`s for its values; calling the prepared query
    with those values by name gives its rows as a list, and `count` how many there are."""

    def __init__(
        self, build: Callable[[], QuerySet], kept: dict[tuple[str, str], Any] | None = None
    ) -> None:
        """`kept`: where the compiled statements are kept, when several prepared queries (built
        by different calls that must give the same SQL) share them."""
        self.build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {} if kept is None else kept

    def __call__(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list:
        compiled = self._compile(using)
        if compiled.sql == NOTHING:
            return []
        connection = connections[using]
        params = self._params(compiled.params, values, connection)
        run = copy.copy(compiled.compiler)
        # This thread's connection: the one the kept compiler was made with may be another's.
        run.connection, run.using = connection, using
        sql = compiled.sql
        run.as_sql = lambda *args, **kwargs: (sql, params)  # type: ignore[method-assign]
        iterable = compiled.queryset._iterable_class
        rows = iterable(_Run(compiled.queryset, run, using))  # type: ignore[arg-type]
        return list(rows)  # type: ignore[call-overload]

    def count(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> int:
        compiled = self._compile(using, counting=True)
        if compiled.sql == NOTHING:
            return 0
        connection = connections[using]
        with connection.cursor() as cursor:
            # A count leaves out what only the rows show (their annotations): it takes the
            # rows' values and uses those it needs.
            params = self._params(compiled.params, values, connection, unused_allowed=True)
            cursor.execute(compiled.sql, params)
            return cursor.fetchone()[0]

    def _compile(self, using: str, counting: bool = False) -> _Compiled:
        connection = connections[using]
        key = (f"{using}:{connection.vendor}", "count" if counting else "rows")
        if key in self._compiled and settings.ENVIRONMENT != "test":
            return self._compiled[key]
        queryset = self.build()
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise ValueError("A prepared query cannot prefetch: run the prefetch on its rows.")
        query = (queryset.order_by().values("pk") if counting else queryset).query
        compiler = query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # as Django's iterables: a query that can match nothing
            sql, params = NOTHING, []
        else:
            if counting:
                sql = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608 (Django's SQL)
        compiled = _Compiled(queryset, compiler, sql, tuple(params))
        kept = self._compiled.setdefault(key, compiled)
        if (kept.sql, kept.params) != (compiled.sql, compiled.params):
            raise AssertionError(f"A prepared query's SQL changed between builds: {sql}")
        return compiled

    @staticmethod
    def _params(
        params: tuple, values: dict[str, Any], connection: Any, unused_allowed: bool = False
    ) -> list:
        names = {p.name for p in params if isinstance(p, _Slot)}
        if names - values.keys() or (values.keys() - names and not unused_allowed):
            raise TypeError(f"A prepared query takes {sorted(names)}, given {sorted(values)}.")
        return [
            p.field.get_db_prep_value(values[p.name], connection, prepared=False)
            if isinstance(p, _Slot)
            else p
            for p in params
        ]
