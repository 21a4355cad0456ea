"""Writes in the reports area: files made from reports, and reports built by the task worker.

Each download is recorded: figures leaving the service, even suppressed ones, are the
partnership's to account for. A build keeps the report as its asker may see it, so it is
shown and downloaded later exactly as the page would have shown it then."""

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from resettle.access import policy
from resettle.accounts.models import Membership, Organisation
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.partnerships.models import Partnership
from resettle.reports.figures import Progress, Report, Scope, report_to_json, suppressed
from resettle.reports.files import export
from resettle.reports.kinds import QUARTERLY_RETURN, REPORT_KINDS, ReportKind
from resettle.reports.models import ACTIVE, BuildState, ReportBuild
from resettle.reports.parameters import NOT_YOURS
from resettle.reports.periods import Period, quarter_bounds, quarter_period
from resettle.reports.selectors import ORGANISATION, PARTNERSHIP, report_for, scope_named

logger = logging.getLogger(__name__)


def report_download(
    *,
    actor: Membership | None,
    report: Report,
    file_format: str,
    request: HttpRequest | None = None,
) -> bytes:
    content = export(report, file_format)
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=f"report:{report.kind}",
        object_id=report.scope.id,
        changes={
            "scope": [None, f"{report.scope.kind}:{report.scope.id}"],
            "period": [None, f"{report.period.start}/{report.period.end}"],
            "format": [None, file_format],
            "exact": [None, str(report.exact)],
        },
        request=request,
    )
    return content


# Builds in the background -----------------------------------------------------------------------

NO_REPORTS = (
    "Reports are for partnership managers, analysts and organisation admins. Ask your "
    "organisation admin if you need the figures."
)
FAILED = (
    "Something went wrong counting the figures, so nothing was kept. Try again; if it fails "
    "again, tell whoever runs Resettle for your partnership (the error was {error})."
)
ASKER_GONE = (
    "The person who asked for this report no longer reports on {scope}. Ask for it again from "
    "the report's page."
)
SCOPE_GONE = "{scope} no longer exists."
UNKNOWN_KIND = "This report is no longer offered."
# A build is started at STARTED per cent and counted by COUNTED; each section of the report the
# builder counts moves it on between the two, with the section's name as the stage.
STARTED, COUNTED = 10, 90
KEEPING = "Keeping the report"
# A build not moved on for this long lost its worker (stopped or restarted mid-build): it is
# failed, so it can be tried again instead of standing in the way of the same report for ever.
STALE_AFTER = timedelta(hours=2)
WORKER_STOPPED = "The task worker stopped before the report was finished. Try again."


KIND_TITLES = {kind.slug: kind.title for kind in REPORT_KINDS}


def kind_named(slug: str) -> ReportKind | None:
    """The report kind a build names; None for one no longer offered."""
    return next((kind for kind in REPORT_KINDS if kind.slug == slug), None)


def _enqueue(build: ReportBuild) -> None:
    from resettle.reports.tasks import build_report  # the task module imports this one

    build_id = str(build.pk)
    transaction.on_commit(lambda: build_report.enqueue(build_id=build_id))


def _give_up_stale(builds: QuerySet[ReportBuild]) -> None:
    now = timezone.now()
    builds.filter(state__in=ACTIVE, updated_at__lt=now - STALE_AFTER).update(
        state=BuildState.FAILED, error=WORKER_STOPPED, finished_at=now, updated_at=now
    )


def _under_way(
    *, kind: str, scope: Scope, period: Period, exact: bool, organisation_id: Any
) -> ReportBuild | None:
    same = ReportBuild.objects.filter(
        kind=kind,
        scope_kind=scope.kind,
        scope_id=scope.id,
        period_start=period.start,
        period_end=period.end,
        exact=exact,
        organisation_id=organisation_id,
    )
    _give_up_stale(same)
    return same.filter(state__in=ACTIVE).first()


def _queue(build: ReportBuild, look_up: Callable[[], ReportBuild | None]) -> ReportBuild:
    """Save a new or requeued build and hand it to the worker; if the same build got under way
    meanwhile (two clicks at once), that one instead."""
    try:
        with transaction.atomic():
            build.full_clean(validate_constraints=False)
            build.save()
    except IntegrityError:
        existing = look_up()
        if existing is None:
            raise
        return existing
    _enqueue(build)
    return build


@transaction.atomic
def report_build_request(
    *, actor: Membership, kind: ReportKind, scope: Scope, period: Period
) -> ReportBuild:
    """Ask the task worker for a report, suppressed as the actor would see it. Asking again
    while the same report is being built for the actor's organisation gets that build."""
    if not policy.can_view_reports(actor):
        raise PermissionDenied(NO_REPORTS)
    named = scope_named(actor=actor, kind=scope.kind, id=scope.id)
    if named is None:
        raise PermissionDenied(NOT_YOURS)
    scope = named
    exact = policy.reports_exactly(actor, scope.organisation_ids)

    def look_up() -> ReportBuild | None:
        return _under_way(
            kind=kind.slug,
            scope=scope,
            period=period,
            exact=exact,
            organisation_id=actor.organisation_id,
        )

    if existing := look_up():
        return existing
    build = ReportBuild(
        kind=kind.slug,
        scope_kind=scope.kind,
        scope_id=scope.id,
        scope_name=scope.name,
        period_start=period.start,
        period_end=period.end,
        quarter=period.quarter,
        exact=exact,
        requested_by=actor,
        organisation_id=actor.organisation_id,
    )
    return _queue(build, look_up)


@transaction.atomic
def report_build_retry(*, actor: Membership, build: ReportBuild) -> ReportBuild:
    """Try a failed build again, as whoever first asked for it (a scheduled one as nobody).
    A build that has not failed is left as it is."""
    if not policy.can_view_reports(actor):
        raise PermissionDenied(NO_REPORTS)
    build = ReportBuild.objects.select_for_update().get(pk=build.pk)
    if build.state != BuildState.FAILED:
        return build
    build.state, build.progress, build.error, build.finished_at = BuildState.QUEUED, 0, "", None
    build.stage = ""

    def look_up() -> ReportBuild | None:
        return _under_way(
            kind=build.kind,
            scope=_stored_scope(build),
            period=build.period,
            exact=build.exact,
            organisation_id=build.organisation_id,
        )

    return _queue(build, look_up)


def _stored_scope(build: ReportBuild) -> Scope:
    return Scope(build.scope_kind, build.scope_id, build.scope_name, frozenset())


def _scheduled_scope(build: ReportBuild) -> Scope | None:
    """A scheduled build's scope as it is now (a partnership's members may have changed)."""
    if build.scope_kind == PARTNERSHIP:
        partnership = (
            Partnership.objects.filter(pk=build.scope_id).prefetch_related("organisations").first()
        )
        if partnership is None:
            return None
        members = frozenset(o.pk for o in partnership.organisations.all())
        return Scope(PARTNERSHIP, str(partnership.pk), partnership.name, members)
    organisation = Organisation.objects.filter(pk=build.scope_id).first()
    if organisation is None:
        return None
    own = frozenset({organisation.pk})
    return Scope(ORGANISATION, str(organisation.pk), organisation.name, own)


def _counted(build: ReportBuild, kind: ReportKind, progress: Progress) -> Report | str:
    """The report, suppressed as its asker may see it now, or why it cannot be made. A
    scheduled build is for everyone in the scope, so always suppressed."""
    if build.is_scheduled:
        scope = _scheduled_scope(build)
        if scope is None:
            return SCOPE_GONE.format(scope=build.scope_name)
        return suppressed(
            kind.build(scope=scope, period=build.period, exact=False, progress=progress)
        )
    asker = build.requested_by
    named = asker and scope_named(actor=asker, kind=build.scope_kind, id=build.scope_id)
    if not asker or not named:
        return ASKER_GONE.format(scope=build.scope_name)
    return report_for(actor=asker, kind=kind, scope=named, period=build.period, progress=progress)


def _isolated() -> AbstractContextManager[Any]:
    """Where the counting runs. Counting only reads, so the worker (which runs in autocommit)
    counts outside a transaction and each section's progress is committed as it is written,
    for the build's page to show. Called inside a transaction (a caller's, a test's), a
    savepoint keeps a failed query from spoiling it, so the failure can still be kept."""
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return nullcontext()


def report_build_run(*, build_id: UUID | str) -> ReportBuild:
    """Build the report (run by the task worker), section by section, the build's progress and
    stage moving on with each. The report is kept, and the build marked done, in one write; a
    build that fails keeps only why."""
    claimed = ReportBuild.objects.filter(pk=build_id, state=BuildState.QUEUED).update(
        state=BuildState.RUNNING, progress=STARTED, stage="", updated_at=timezone.now()
    )
    build = ReportBuild.objects.select_related("requested_by__organisation").get(pk=build_id)
    if not claimed:  # already built, or being built by another worker
        return build
    kind = kind_named(build.kind)
    if kind is None:
        return _fail(build, UNKNOWN_KIND)

    def counting(percent: int, stage: str) -> None:
        _progress(build, STARTED + (COUNTED - STARTED) * percent // 100, stage)

    try:
        with _isolated():
            counted = _counted(build, kind, counting)
            if isinstance(counted, str):
                return _fail(build, counted)
            _progress(build, COUNTED, KEEPING)
            result = report_to_json(counted)
    except Exception as error:
        # The traceback goes to the log; the page shows only what kind of error it was, since
        # an error's message may quote the data it choked on.
        logger.exception("Report build %s failed", build.pk)
        return _fail(build, FAILED.format(error=type(error).__name__))
    ReportBuild.objects.filter(pk=build.pk, state=BuildState.RUNNING).update(
        state=BuildState.DONE,
        progress=100,
        stage="",
        result=result,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    build.refresh_from_db()
    return build


def _progress(build: ReportBuild, percent: int, stage: str) -> None:
    ReportBuild.objects.filter(pk=build.pk).update(
        progress=percent, stage=stage[:100], updated_at=timezone.now()
    )


def _fail(build: ReportBuild, error: str) -> ReportBuild:
    ReportBuild.objects.filter(pk=build.pk).update(
        state=BuildState.FAILED,
        error=error[:500],
        result=None,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    build.refresh_from_db()
    return build


def quarterly_returns_build(*, quarter: str, background: bool = False) -> list[ReportBuild]:
    """Every partnership's quarterly return for an ended quarter, as scheduled builds: one for
    each partnership and quarter, so running it again makes none (a failed one is tried
    again). Built here, or by the task worker with `background`. Returns the builds queued."""
    end = quarter_bounds(quarter)[1]
    if end >= timezone.localdate():
        raise ApplicationError(f"{quarter} has not ended yet: choose an ended quarter")
    period = quarter_period(quarter, today=end)
    queued = []
    for partnership in Partnership.objects.order_by("name"):
        scope = Scope(PARTNERSHIP, str(partnership.pk), partnership.name, frozenset())
        with transaction.atomic():
            same = ReportBuild.objects.filter(
                kind=QUARTERLY_RETURN.slug,
                scope_kind=PARTNERSHIP,
                scope_id=scope.id,
                quarter=quarter,
                organisation__isnull=True,
            )
            _give_up_stale(same)
            earlier = same.select_for_update().order_by("-created_at").first()
            if earlier is not None and earlier.state != BuildState.FAILED:
                continue
            build = earlier or ReportBuild(
                kind=QUARTERLY_RETURN.slug,
                scope_kind=PARTNERSHIP,
                scope_id=scope.id,
                scope_name=scope.name,
                period_start=period.start,
                period_end=period.end,
                quarter=quarter,
            )
            build.state, build.progress, build.error, build.finished_at = (
                BuildState.QUEUED,
                0,
                "",
                None,
            )
            build.stage = ""
            build.full_clean(validate_constraints=False)
            build.save()
            if background:
                _enqueue(build)
        queued.append(build if background else report_build_run(build_id=build.pk))
    return queued
