"""The people a principal may see, as SQL compiled once per request.

Every list of records about people filters by "the person is one the principal may see" (or may
read a category of): a correlated EXISTS over the working relationships, agreements and consent.
Built with the ORM for every query of a page, that subquery cost more Python than everything
else on the page: a queryset built, resolved and compiled again for each list, count and
annotation. Here it is compiled once per request (the `Access` keeps it) and each use only puts
the outer query's column into it.

The compiled subquery names its tables with its own alias prefix, so the outer column it is
given (a table name, `T3` or a subquery's `U0`) can never be shadowed by one of its tables.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.sql.compiler import SQLCompiler

# Stands in for the outer query's column while the subquery is compiled.
OUTER = "__resettle_outer_person__"
# Django names subquery aliases U, V, ... Z, AA, AB ...: a prefix it would reach only after
# hundreds of nested subqueries.
ALIAS_PREFIX = "RZ"
# A subquery that matches nobody (a principal who sees no one).
NOBODY = None


class _Outer(Expression):
    """The outer query's person column, filled in when the compiled subquery is used."""

    def __init__(self, output_field: Any) -> None:
        super().__init__(output_field=output_field)

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list]:
        return OUTER, []


def compile_subquery(
    queryset: QuerySet, column: str, connection: BaseDatabaseWrapper
) -> tuple[str, tuple] | None:
    """`SELECT 1 FROM … WHERE <column> = OUTER … LIMIT 1` for `queryset`, with its own aliases, or
    NOBODY when the queryset can match no one."""
    field = queryset.model._meta.get_field(column.removesuffix("_id"))
    target = getattr(field, "target_field", field)
    query = queryset.filter(**{column: _Outer(target)}).query.exists()
    query.alias_prefix = ALIAS_PREFIX
    query.change_aliases({alias: f"{ALIAS_PREFIX}{n}" for n, alias in enumerate(query.alias_map)})
    try:
        sql, params = query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:
        return NOBODY
    if sql.count(OUTER) != 1:
        raise ValueError("The compiled subquery must refer to the outer person exactly once.")
    return sql, tuple(params)


# Compiled subqueries shared between requests, by the shape of the principal that made them (see
# `Principal.shape`): the same SQL serves every request of every principal of that shape.
SHARED_LIMIT = 2048
_shared: dict[tuple, tuple[str, tuple] | None] = {}


def shared_compiled(
    key: tuple, compile_now: Callable[[], tuple[str, tuple] | None]
) -> tuple[str, tuple] | None:
    """The compiled subquery kept under `key`, compiled now if no request has yet. Under test
    every use compiles afresh and must match what is kept, so a rule that came to rest on
    something the shape leaves out fails the tests rather than serving stale SQL."""
    if key not in _shared or settings.ENVIRONMENT == "test":
        compiled = compile_now()
        if key in _shared and _shared[key] != compiled:
            raise AssertionError(f"The shape {key!r} does not decide its SQL: add what it rests on")
        if len(_shared) >= SHARED_LIMIT:
            _shared.clear()
        _shared[key] = compiled
    return _shared[key]


class CompiledExists(Expression):
    """EXISTS (the kept subquery) for the outer query's `field`; a drop-in for `Exists` in
    filters, Q combinations and annotations (`~` negates it as any condition)."""

    output_field = BooleanField()
    empty_result_set_value = False

    def __init__(
        self,
        compiled: Callable[[BaseDatabaseWrapper], tuple[str, tuple] | None],
        field: str,
    ) -> None:
        super().__init__(output_field=BooleanField())
        self.compiled = compiled
        self.outer: Any = F(field)

    def get_source_expressions(self) -> list:
        return [self.outer]

    def set_source_expressions(self, exprs: Sequence[Combinable | Expression]) -> None:
        (self.outer,) = exprs

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple]:
        compiled = self.compiled(connection)
        if compiled is NOBODY:
            raise EmptyResultSet  # as Exists: matches no row (a negation matches every row)
        sql, params = compiled
        outer_sql, outer_params = compiler.compile(self.outer)
        if outer_params:
            raise ValueError("The outer person must be a plain column.")
        return f"EXISTS ({sql.replace(OUTER, outer_sql)})", params

    def select_format(self, compiler: SQLCompiler, sql: str, params: Any) -> tuple[str, Any]:
        # As Exists: databases without a boolean type in SELECT need a CASE.
        if not compiler.connection.features.supports_boolean_expr_in_select_clause:
            sql = f"CASE WHEN {sql} THEN 1 ELSE 0 END"
        return sql, params
