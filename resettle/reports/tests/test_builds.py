"""Reports built in the background: asked for from the report's page, built by the task worker
(the tests' immediate backend runs it when the request's transaction commits), kept suppressed as
the asker may see it, shown and downloaded from its own page; asked twice, one build; failed,
a reason and a retry; and every partnership's quarterly return built on a schedule, once."""

import csv
from dataclasses import replace
from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership
from resettle.audit.models import AuditAction, AuditEvent
from resettle.core.exceptions import PermissionDenied
from resettle.partnerships.models import Partnership
from resettle.reports import quarterly, selectors, services
from resettle.reports.figures import (
    Breakdown,
    Cell,
    Figure,
    Report,
    Row,
    Scope,
    report_from_json,
    report_to_json,
)
from resettle.reports.kinds import DATA_QUALITY, QUARTERLY_RETURN, REPORT_KINDS
from resettle.reports.models import BuildState, ReportBuild
from resettle.reports.periods import Period
from resettle.reports.tests.conftest import END, QUARTER, START

pytestmark = pytest.mark.django_db

BUILD = reverse("reports:quarterly_return_build")


def partnership_scope(cast) -> Scope:
    scope = selectors.scope_named(actor=cast.manager, kind="partnership", id=cast.partnership.pk)
    assert scope is not None
    return scope


def own_scope(actor) -> Scope:
    return selectors.report_scopes(actor=actor)[0]


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for a build and let the worker (the immediate backend) build it."""

    def asked(actor, scope: Scope, period: Period, kind=QUARTERLY_RETURN) -> ReportBuild:
        with django_capture_on_commit_callbacks(execute=True):
            build = services.report_build_request(
                actor=actor, kind=kind, scope=scope, period=period
            )
        build.refresh_from_db()
        return build

    return asked


def detail(build: ReportBuild) -> str:
    return reverse("reports:build_detail", args=[build.pk])


def break_builder(monkeypatch, kind) -> None:
    """The builder of `kind` fails, with an error that quotes someone's name."""

    def broken(**kwargs):
        raise ValueError("Jordan Example choked the counter")

    broken_kind = replace(kind, build=broken)
    real = services.kind_named
    monkeypatch.setattr(
        services, "kind_named", lambda slug: broken_kind if slug == kind.slug else real(slug)
    )


# Keeping a report -------------------------------------------------------------------------------


def test_a_report_comes_back_from_json_as_it_was():
    report = Report(
        kind="k",
        title="T",
        scope=Scope("organisation", "1", "Org", frozenset({"1"})),
        period=Period(START, END, QUARTER),
        exact=False,
        figures=(
            Figure("a", "A", "Def A", Cell(3)),
            Figure("m", "Median", "Def M", Cell(2.0), is_count=False),
            Figure("x", "X", "Def X", Cell(None, suppressed=True, reason="fewer than 5")),
        ),
        breakdowns=(Breakdown("b", "B", "Def B", (Row("v", "V", Cell(None, reason="no")),)),),
        notes=("a note",),
    )

    again = report_from_json(report_to_json(report))

    assert again == report
    assert again.figure("m").cell.shown == "2.0"


# Asking, building, showing ----------------------------------------------------------------------


def test_a_build_keeps_the_same_figures_as_the_page(
    cast, quarter, client_as, django_capture_on_commit_callbacks
):
    scope = partnership_scope(cast)
    client = client_as(cast.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BUILD, {"scope": f"partnership:{scope.id}", "quarter": QUARTER})

    build = ReportBuild.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(build)
    assert build.state == BuildState.DONE and build.progress == 100
    assert build.requested_by == cast.manager
    assert build.organisation == cast.lead_charity
    assert not build.exact
    page = selectors.report_for(
        actor=cast.manager, kind=QUARTERLY_RETURN, scope=scope, period=quarter.period
    )
    kept = report_from_json(build.result)
    assert kept.figures == page.figures
    assert kept.breakdowns == page.breakdowns
    assert "fewer than 5" in [f.cell.shown for f in kept.figures] + [
        r.cell.shown for b in kept.breakdowns for r in b.rows
    ]

    shown = client.get(detail(build))
    assert shown.status_code == 200
    assert "Refresh" not in shown
    assert "People supported" in shown.text and "Ready" in shown.text
    assert "fewer than 5" in shown.text


def test_the_report_page_offers_to_build_with_its_parameters(cast, quarter, client_as):
    page = client_as(cast.admin).get(
        reverse("reports:quarterly_return"),
        {"scope": f"organisation:{cast.lead_charity.pk}", "quarter": QUARTER},
    )

    assert "Build in the background" in page.text
    assert f'action="{BUILD}"' in page.text
    assert f'name="quarter" value="{QUARTER}"' in page.text


def test_an_organisations_own_build_is_exact(cast, quarter, ask):
    build = ask(cast.admin, own_scope(cast.admin), quarter.period)

    assert build.exact
    page = selectors.report_for(
        actor=cast.admin, kind=QUARTERLY_RETURN, scope=own_scope(cast.admin), period=quarter.period
    )
    assert report_from_json(build.result).figures == page.figures


def test_asking_twice_while_it_is_built_gets_the_same_build(cast, quarter):
    scope = partnership_scope(cast)

    # No commit, so the worker has not started: the first is still queued.
    first = services.report_build_request(
        actor=cast.manager, kind=QUARTERLY_RETURN, scope=scope, period=quarter.period
    )
    second = services.report_build_request(
        actor=cast.analyst, kind=QUARTERLY_RETURN, scope=scope, period=quarter.period
    )

    assert second == first
    assert ReportBuild.objects.count() == 1
    assert first.state == BuildState.QUEUED


def test_the_database_refuses_a_second_build_under_way(cast, quarter):
    scope = partnership_scope(cast)
    first = services.report_build_request(
        actor=cast.manager, kind=QUARTERLY_RETURN, scope=scope, period=quarter.period
    )
    first.pk = None
    first.id = None

    with pytest.raises(IntegrityError):
        first.save()


def test_a_finished_build_does_not_stop_a_new_one(cast, quarter, ask):
    scope = partnership_scope(cast)
    first = ask(cast.manager, scope, quarter.period)
    second = ask(cast.manager, scope, quarter.period)

    assert first.state == second.state == BuildState.DONE
    assert first != second


def test_a_build_under_way_refreshes_itself(cast, quarter, client_as):
    build = services.report_build_request(
        actor=cast.manager,
        kind=QUARTERLY_RETURN,
        scope=partnership_scope(cast),
        period=quarter.period,
    )

    response = client_as(cast.manager).get(detail(build))

    assert response.status_code == 200
    assert response["Refresh"] == "2"
    assert "Waiting to start" in response.text and "0% done" in response.text


def test_nobody_may_ask_for_a_scope_they_may_not_report_on(cast, quarter, client_as):
    other = Scope("organisation", str(cast.football_trust.pk), "Trust", frozenset())

    with pytest.raises(PermissionDenied):
        services.report_build_request(
            actor=cast.admin, kind=QUARTERLY_RETURN, scope=other, period=quarter.period
        )
    response = client_as(cast.admin).post(
        BUILD, {"scope": f"organisation:{cast.football_trust.pk}", "quarter": QUARTER}
    )

    assert response.status_code == 403
    assert ReportBuild.objects.count() == 0


@pytest.mark.parametrize("who", ["caseworker", "outsider"])
def test_people_who_work_with_records_may_not_ask(cast, client_as, who):
    response = client_as(getattr(cast, who)).post(BUILD, {"quarter": QUARTER})

    assert response.status_code == 403
    assert ReportBuild.objects.count() == 0


def test_bad_parameters_change_nothing(cast, client_as):
    response = client_as(cast.manager).post(BUILD, {"quarter": "2031-Q1"})

    assert response.status_code == 400
    assert "That quarter has not started yet" in response.text
    assert ReportBuild.objects.count() == 0


# Failing and trying again -----------------------------------------------------------------------


def test_a_failed_build_says_why_keeps_nothing_and_can_be_tried_again(
    cast, quarter, client_as, monkeypatch, django_capture_on_commit_callbacks, ask
):
    break_builder(monkeypatch, DATA_QUALITY)
    build = ask(cast.admin, own_scope(cast.admin), quarter.period, kind=DATA_QUALITY)

    assert build.state == BuildState.FAILED
    assert build.result is None
    assert "ValueError" in build.error and "Jordan" not in build.error
    client = client_as(cast.admin)
    page = client.get(detail(build))
    assert "Failed" in page.text and "Try again" in page.text and "ValueError" in page.text
    assert "Refresh" not in page
    assert client.get(reverse("reports:build_download", args=[build.pk])).status_code == 302

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:build_retry", args=[build.pk]))

    assert response.status_code == 302 and response["Location"] == detail(build)
    build.refresh_from_db()
    assert build.state == BuildState.DONE and build.error == ""
    assert report_from_json(build.result).kind == DATA_QUALITY.slug


def test_retrying_a_build_that_did_not_fail_changes_nothing(cast, quarter, client_as, ask):
    build = ask(cast.admin, own_scope(cast.admin), quarter.period)

    response = client_as(cast.admin).post(reverse("reports:build_retry", args=[build.pk]))

    assert response.status_code == 302
    assert ReportBuild.objects.get() == build


def test_a_build_fails_when_its_asker_may_no_longer_report_on_it(cast, quarter):
    build = services.report_build_request(
        actor=cast.manager,
        kind=QUARTERLY_RETURN,
        scope=partnership_scope(cast),
        period=quarter.period,
    )
    cast.manager.ended_on = quarter.period.start
    cast.manager.save()

    build = services.report_build_run(build_id=build.pk)

    assert build.state == BuildState.FAILED
    assert "no longer reports on" in build.error
    assert build.result is None


# Downloads --------------------------------------------------------------------------------------


def test_a_built_report_downloads_as_the_page_does_and_is_audited(cast, quarter, client_as, ask):
    build = ask(cast.admin, own_scope(cast.admin), quarter.period)
    client = client_as(cast.admin)

    response = client.get(reverse("reports:build_download", args=[build.pk]), {"format": "csv"})

    assert response.status_code == 200
    rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    assert ["Figure", "People supported", "5", "5"] in [row[:4] for row in rows]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.object_type == f"report:{QUARTERLY_RETURN.slug}"
    for file_format in ("xlsx", "ods"):
        assert (
            client.get(
                reverse("reports:build_download", args=[build.pk]), {"format": file_format}
            ).status_code
            == 200
        )
    refused = client.get(reverse("reports:build_download", args=[build.pk]), {"format": "pdf"})
    assert refused.status_code == 400 and "Choose a file format" in refused.text


# Who sees a build -------------------------------------------------------------------------------


def test_the_asking_organisations_reporters_see_its_builds(cast, quarter, client_as, ask):
    build = ask(cast.manager, partnership_scope(cast), quarter.period)

    for colleague in (cast.analyst, cast.admin):
        assert client_as(colleague).get(detail(build)).status_code == 200
    listed = client_as(cast.analyst).get(reverse("reports:build_list"))
    assert detail(build) in listed.text


@pytest.mark.parametrize("who", ["caseworker", "safeguarding", "outsider", "probation"])
def test_anyone_else_is_told_the_build_does_not_exist(cast, quarter, client_as, ask, who):
    build = ask(cast.manager, partnership_scope(cast), quarter.period)
    client = client_as(getattr(cast, who))

    for url in (
        detail(build),
        reverse("reports:build_download", args=[build.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("reports:build_retry", args=[build.pk])).status_code == 404


def test_another_organisations_reporters_are_told_the_build_does_not_exist(
    cast, quarter, client_as, ask
):
    build = ask(cast.manager, partnership_scope(cast), quarter.period)
    # A partnership manager elsewhere in the partnership, who reports on the same partnership.
    for role in (Role.ORGANISATION_ADMIN, Role.PARTNERSHIP_MANAGER):
        other = make_membership(organisation=cast.football_trust, role=role)
        client = client_as(other)
        assert client.get(detail(build)).status_code == 404
        assert client.get(reverse("reports:build_download", args=[build.pk])).status_code == 404
        assert client.post(reverse("reports:build_retry", args=[build.pk])).status_code == 404
        assert detail(build) not in client.get(reverse("reports:build_list")).text


def test_the_list_is_newest_first_with_an_empty_state(cast, quarter, client_as, count_queries, ask):
    client = client_as(cast.manager)
    empty = client.get(reverse("reports:build_list"))
    assert "No reports have been built in the background yet" in empty.text

    first = ask(cast.manager, partnership_scope(cast), quarter.period)
    with count_queries() as one:
        client.get(reverse("reports:build_list"))
    # The clock is stopped for counting queries: the second is asked for a minute later.
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        second = ask(cast.admin, own_scope(cast.admin), quarter.period)
    with count_queries() as two:
        text = client.get(reverse("reports:build_list")).text

    assert text.index(detail(second)) < text.index(detail(first))
    assert len(two) == len(one)


# Scheduled quarterly returns --------------------------------------------------------------------


def test_the_schedule_builds_each_partnerships_return_once(cast, quarter, client_as):
    elsewhere = Partnership.objects.create(name="Elsewhere Partnership")
    elsewhere.organisations.add(cast.outside_organisation)
    out = StringIO()

    call_command("build_quarterly_returns", stdout=out)

    builds = ReportBuild.objects.all()
    assert {b.scope_id for b in builds} == {str(cast.partnership.pk), str(elsewhere.pk)}
    assert all(
        b.state == BuildState.DONE
        and b.requested_by is None
        and b.organisation is None
        and not b.exact
        and b.quarter == QUARTER
        and b.kind == QUARTERLY_RETURN.slug
        for b in builds
    )
    assert "2 quarterly returns" in out.getvalue()
    ours = builds.get(scope_id=str(cast.partnership.pk))
    page = selectors.report_for(
        actor=cast.manager,
        kind=QUARTERLY_RETURN,
        scope=partnership_scope(cast),
        period=quarter.period,
    )
    assert report_from_json(ours.result).figures == page.figures

    call_command("build_quarterly_returns", stdout=StringIO())
    call_command("build_quarterly_returns", "--background", stdout=StringIO())
    assert ReportBuild.objects.count() == 2

    # Whoever reports on the partnership sees its scheduled build; nobody outside it does.
    assert client_as(cast.manager).get(detail(ours)).status_code == 200
    assert "Built on a schedule" in client_as(cast.analyst).get(detail(ours)).text
    assert client_as(cast.admin).get(detail(ours)).status_code == 404
    assert client_as(cast.caseworker).get(detail(ours)).status_code == 404


def test_the_schedule_hands_the_work_to_the_worker_when_asked(
    cast, quarter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command(
            "build_quarterly_returns", "--background", "--quarter", QUARTER, stdout=StringIO()
        )

    assert ReportBuild.objects.get().state == BuildState.QUEUED
    assert len(callbacks) == 1


def test_the_schedule_tries_a_failed_return_again(cast, quarter, monkeypatch):
    break_builder(monkeypatch, QUARTERLY_RETURN)
    with pytest.raises(SystemExit):
        call_command("build_quarterly_returns", stdout=StringIO(), stderr=StringIO())
    assert ReportBuild.objects.get().state == BuildState.FAILED

    monkeypatch.undo()
    call_command("build_quarterly_returns", stdout=StringIO())

    assert ReportBuild.objects.get().state == BuildState.DONE


def test_the_schedule_refuses_a_quarter_that_has_not_ended(cast):
    with pytest.raises(CommandError, match="has not ended"):
        call_command("build_quarterly_returns", "--quarter", "2099-Q1", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("build_quarterly_returns", "--quarter", "last", stdout=StringIO())
    assert ReportBuild.objects.count() == 0


def test_a_build_whose_worker_stopped_fails_and_stands_in_no_ones_way(cast, quarter, ask):
    scope = partnership_scope(cast)
    stuck = services.report_build_request(
        actor=cast.manager, kind=QUARTERLY_RETURN, scope=scope, period=quarter.period
    )
    ReportBuild.objects.filter(pk=stuck.pk).update(
        state=BuildState.RUNNING, updated_at=timezone.now() - timedelta(hours=3)
    )

    fresh = ask(cast.manager, scope, quarter.period)

    stuck.refresh_from_db()
    assert stuck.state == BuildState.FAILED and "worker stopped" in stuck.error
    assert fresh != stuck and fresh.state == BuildState.DONE


# Progress ---------------------------------------------------------------------------------------


def test_a_build_moves_its_bar_section_by_section_naming_each(cast, quarter, monkeypatch, ask):
    """What the build's row holds after each write: the page shows the same."""
    stored: list[tuple[int, str]] = []
    write = services._progress

    def watched(build, percent: int, stage: str) -> None:
        write(build, percent, stage)
        row = ReportBuild.objects.get()
        stored.append((row.progress, row.stage))

    monkeypatch.setattr(services, "_progress", watched)
    build = ask(cast.manager, partnership_scope(cast), quarter.period)

    percents = [percent for percent, _ in stored]
    assert [stage for _, stage in stored] == [*quarterly.SECTIONS, services.KEEPING]
    assert percents == sorted(percents) and len(set(percents)) == len(percents)
    assert percents[0] == services.STARTED and percents[-1] == services.COUNTED
    assert all(services.STARTED < p < services.COUNTED for p in percents[1:-1])
    assert (build.state, build.progress, build.stage) == (BuildState.DONE, 100, "")


@pytest.mark.parametrize("kind", REPORT_KINDS, ids=lambda kind: kind.slug)
def test_every_report_is_counted_in_named_sections(cast, kind):
    heard: list[tuple[int, str]] = []

    kind.build(
        scope=own_scope(cast.admin),
        period=Period(START, END, QUARTER),
        exact=True,
        progress=lambda percent, stage: heard.append((percent, stage)),
    )

    assert len(heard) > 2
    assert heard[0][0] == 0
    assert all(earlier[0] < later[0] < 100 for earlier, later in pairwise(heard))
    assert len({stage for _, stage in heard}) == len(heard)


def test_a_build_under_way_shows_the_section_being_counted(cast, quarter, client_as):
    build = services.report_build_request(
        actor=cast.manager,
        kind=QUARTERLY_RETURN,
        scope=partnership_scope(cast),
        period=quarter.period,
    )
    ReportBuild.objects.filter(pk=build.pk).update(
        state=BuildState.RUNNING, progress=43, stage="Who was supported"
    )

    response = client_as(cast.manager).get(detail(build))

    assert "43% done: who was supported" in response.text
    assert 'value="43"' in response.text
