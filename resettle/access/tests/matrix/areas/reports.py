"""The authorization matrix for the reports area: counts, never people. Partnership managers,
analysts and organisation admins read reports (anyone else is refused, 403); the scope defaults
to the actor's own organisation, so no record is named in the route.

The records behind the data quality report are listed, always for the actor's own organisation
(no record is named in the route), to the roles that fix them (case-level roles but peer mentors)
and, as counts only, to those who read reports; a peer mentor is refused (403). Which records a
list names is checked by the content checks (never a person the actor may not see).

A report built in the background is its asking organisation's: whoever reports there sees it, and
everyone else, whatever their role, gets the 404 of a build that does not exist. (Scheduled builds,
seen by whoever reports on their scope, are tried in reports/tests/test_builds.py.)"""

from datetime import date, timedelta

from django.utils import timezone

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import OWN, World
from resettle.accounts.models import Membership, Role
from resettle.reports.figures import Figure, Report, Scope, known, report_to_json
from resettle.reports.kinds import QUARTERLY_RETURN, REPORT_KINDS
from resettle.reports.models import BuildState, ReportBuild, ScopeKind
from resettle.reports.periods import Period
from resettle.reports.records_to_fix import PROBLEMS

REPORT_ROLES = (Role.PARTNERSHIP_MANAGER, Role.ANALYST, Role.ORGANISATION_ADMIN)
reporter = o.role_in(*REPORT_ROLES)
records_to_fix = o.role_in(*REPORT_ROLES, *(o.CASE_LEVEL_ROLES - {Role.PEER_MENTOR}))
# Someone who may not see a build is told it does not exist, whatever their role.
build_rule = o.signed_in(o.role_in(*REPORT_ROLES, otherwise=o.Outcome.NOT_FOUND), o.scope_in(OWN))
ASK = ("POST",)

# Every report kind's page, file and build share their views, and so their rule.
DECISIONS: dict[str, Decision] = {
    "reports:index": Decision(o.signed_in(reporter)),
    **{
        route: decision
        for kind in REPORT_KINDS
        for route, decision in (
            (f"reports:{kind.url_name}", Decision(o.signed_in(reporter))),
            (f"reports:{kind.download_url_name}", Decision(o.signed_in(reporter))),
            (f"reports:{kind.url_name}_build", Decision(o.signed_in(reporter), methods=ASK)),
            (f"GET /api/v1/reports/{kind.slug}", Decision(o.signed_in(reporter))),
        )
    },
    "reports:data_quality_records": Decision(o.signed_in(records_to_fix)),
    **{
        f"reports:{problem.url_name}": Decision(o.signed_in(records_to_fix)) for problem in PROBLEMS
    },
    "reports:build_list": Decision(o.signed_in(reporter)),
    "reports:build_detail": Decision(build_rule, about="build"),
    "reports:build_download": Decision(build_rule, about="build"),
    "reports:build_retry": Decision(build_rule, about="build", methods=ASK),
}


def build(world: World) -> None:
    """For each organisation, a finished quarterly return of its own figures that someone there
    asked for (a reporter where it has one)."""
    for person in world.people.values():
        world.per_person[person.pk]["extra"].setdefault("build", None)
    today = date.today()
    period = Period(start=today - timedelta(days=30), end=today)
    for organisation in world.organisations.values():
        members = Membership.objects.filter(organisation=organisation)
        asker = members.filter(role__in=REPORT_ROLES).first() or members.first()
        scope = Scope(ScopeKind.ORGANISATION, str(organisation.pk), organisation.name, frozenset())
        report = Report(
            kind=QUARTERLY_RETURN.slug,
            title=QUARTERLY_RETURN.title,
            scope=scope,
            period=period,
            exact=True,
            figures=(Figure("people_supported", "People supported", "Matrix", known(3)),),
            breakdowns=(),
            made_at=timezone.now(),
        )
        made = ReportBuild.objects.create(
            kind=QUARTERLY_RETURN.slug,
            scope_kind=scope.kind,
            scope_id=scope.id,
            scope_name=scope.name,
            period_start=period.start,
            period_end=period.end,
            exact=True,
            requested_by=asker,
            organisation=organisation,
            state=BuildState.DONE,
            progress=100,
            result=report_to_json(report),
            finished_at=timezone.now(),
        )
        world.per_organisation.setdefault(organisation.pk, {})["build"] = made
