"""Reads for the reports area: the scopes an actor may report on, and reports already suppressed
as the actor may see them."""

from resettle.access import policy
from resettle.access.core import Actor
from resettle.reports.figures import Report, Scope, suppressed
from resettle.reports.kinds import ReportKind
from resettle.reports.periods import Period

ORGANISATION = "organisation"
PARTNERSHIP = "partnership"


def report_scopes(*, actor: Actor) -> list[Scope]:
    """The actor's own organisation first, then their partnerships, then other members."""
    organisations = list(policy.report_organisations(actor))
    staff = policy.acting_staff(actor)
    own = [o for o in organisations if staff is not None and o.pk == staff.organisation_id]
    others = [o for o in organisations if o not in own]
    partnerships = (
        policy.report_partnerships(actor).prefetch_related("organisations").order_by("name")
    )
    return (
        [Scope(ORGANISATION, str(o.pk), o.name, frozenset({o.pk})) for o in own]
        + [
            Scope(
                PARTNERSHIP,
                str(p.pk),
                p.name,
                frozenset(o.pk for o in p.organisations.all()),
            )
            for p in partnerships
        ]
        + [Scope(ORGANISATION, str(o.pk), o.name, frozenset({o.pk})) for o in others]
    )


def scope_named(*, actor: Actor, kind: str, id: str) -> Scope | None:
    """The scope, or None when it does not exist or the actor may not report on it."""
    return next((s for s in report_scopes(actor=actor) if s.kind == kind and s.id == str(id)), None)


def report_for(*, actor: Actor, kind: ReportKind, scope: Scope, period: Period) -> Report:
    """The report as the actor may see it: exact for their own organisation, else suppressed."""
    exact = policy.reports_exactly(actor, scope.organisation_ids)
    return suppressed(kind.build(scope=scope, period=period, exact=exact))
