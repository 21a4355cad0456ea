"""Custody lists read a fixed number of queries however many rows there are (5 and 50, the same
count): the API list of custody periods, the release-planning worklist, and a person's timeline
(custody and case events, contacts, goals and referrals)."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from resettle.cases import services as case_services
from resettle.cases.models import CaseEventKind
from resettle.contacts import services as contact_services
from resettle.custody import services
from resettle.custody.models import (
    ChecklistItem,
    ChecklistItemKind,
    ChecklistStatus,
    CustodyEvent,
    CustodyKind,
    RecallReason,
    ReleaseType,
)
from resettle.custody.tests.conftest import days
from resettle.directory.models import Access, Service
from resettle.plans import services as plan_services
from resettle.referrals import services as referral_services
from resettle.referrals.tests.conftest import refer
from resettle.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def football(cast) -> Service:
    """A referral-only session of the football trust (as in the referral tests)."""
    return Service.objects.create(
        organisation=cast.football_trust,
        name="Tuesday referral football",
        description="A coached session for adults, by referral only.",
        access=Access.REFERRAL_ONLY,
        pathways=["sport"],
        capacity=2,
    )


def _api(actor) -> ApiClient:
    return ApiClient(Client(), token_for(actor.user))


def _signed_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def _measure(count_queries, calls) -> list[tuple[int, object]]:
    measured = []
    for who, url in calls:
        with count_queries() as queries:
            response = who.get(url)
        assert response.status_code == 200, (url, response.content)
        measured.append((len(queries), response))
    return measured


def test_custody_lists_read_a_fixed_number_of_queries(
    count_queries, cast, make_person, agreement, offence_agreement
):
    """Everyone is in custody, due out within 12 weeks, with licence conditions recorded, and a
    live case with the lead charity and with probation; every other person has part of their
    checklist done and a gate meeting planned."""

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            person = make_person(
                cast.probation,
                cast.caseworker,
                given_name=f"Sam{n}",
                family_name=f"Count{n:02}",
                started_on=days(-400),
            )
            period = services.custody_period_record(
                actor=cast.probation,
                person=person,
                data={
                    "kind": CustodyKind.SENTENCE,
                    "start_date": days(-200),
                    "establishment": f"HMP Northshire {n % 3}",
                    "expected_release_date": days(1 + n),
                    "licence_conditions": "Live at the approved address.",
                },
            )
            for actor in (cast.caseworker, cast.probation):
                case = case_services.case_open(
                    actor=actor, person=person, opened_on=days(-30), worker=actor.user
                )
                if n % 2:
                    case_services.task_gate_meeting_plan(
                        actor=actor,
                        case=case,
                        on=days(1 + n),
                        at=time(8, 30),
                        place="Visitors centre",
                    )
            if n % 2:
                for kind in (ChecklistItemKind.ID, ChecklistItemKind.ACCOMMODATION):
                    services.checklist_item_update(
                        actor=cast.probation,
                        item=ChecklistItem.objects.get(period=period, kind=kind),
                        status=ChecklistStatus.DONE,
                    )

    caseworker, probation = _signed_in(cast.caseworker), _signed_in(cast.probation)
    api, probation_api = _api(cast.caseworker), _api(cast.probation)
    # A page of the API list is 20 people, whose reads (custody, and licence conditions) are 40
    # audit events: one insert on SQLite up to 49 (999 parameters a query, 20 columns an event).
    calls = [
        (caseworker, "/releases/"),
        (caseworker, "/releases/?sort=-name&pathway=accommodation"),
        (probation, "/releases/?page=2"),
        (api, "/api/v1/custody-periods"),
        (api, "/api/v1/custody-periods?in_custody=true"),
        (probation_api, "/api/v1/custody-periods"),
    ]
    _measure(
        count_queries, calls
    )  # a first request saves the session, a token's first use is recorded
    add(5, 0)
    few = _measure(count_queries, calls)
    add(45, 5)
    many = _measure(count_queries, calls)
    assert "5 people due for release" in few[0][1].content.decode()
    worklist = many[0][1].content.decode()
    assert "50 people due for release" in worklist and "Visitors centre" in worklist
    assert "25 people due for release" in many[1][1].content.decode()  # accommodation to do
    assert len(many[2][1].context["rows"]) == 25  # the second page
    assert [r.json()["count"] for _n, r in few[3:]] == [5, 5, 5]
    assert [r.json()["count"] for _n, r in many[3:]] == [50, 50, 50]
    shown = many[3][1].json()["results"]
    assert len(shown) == 20 and all(p["licence_conditions"] for p in shown)
    assert [n for n, _response in many] == [n for n, _response in few]


def test_a_persons_timeline_reads_a_fixed_number_of_queries(
    count_queries, cast, make_person, agreement, offence_agreement, football
):
    """One person released and recalled again and again (custody events, and their cases
    paused and resumed each time), with contacts, goals and referrals of two organisations."""
    person = make_person(
        cast.probation, cast.caseworker, cast.family, started_on=days(-400), given_name="Sam"
    )
    period = services.custody_period_record(
        actor=cast.probation,
        person=person,
        data={"kind": CustodyKind.SENTENCE, "start_date": days(-390), "establishment": "HMP N"},
    )
    cases = {
        actor: case_services.case_open(
            actor=actor, person=person, opened_on=days(-380), worker=actor.user
        )
        for actor in (cast.caseworker, cast.family)
    }

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            services.custody_release(
                actor=cast.probation,
                period=period,
                released_on=days(-300 + 5 * n),
                release_type=ReleaseType.CONDITIONAL,
                release_address="4 Mill Lane, Millbrook",
            )
            services.custody_recall(
                actor=cast.probation,
                period=period,
                recalled_on=days(-298 + 5 * n),
                recall_reason=RecallReason.OUT_OF_TOUCH,
            )
            for actor, case in cases.items():
                contact_services.contact_record(
                    actor=actor,
                    case=case,
                    data={
                        "kind": "phone",
                        "happened_at": timezone.now() - timedelta(days=n + 1),
                        "outcome": "attended",
                        "duration_minutes": 20,
                        "note": f"Call {n}",
                    },
                )
                plan_services.goal_create(
                    actor=actor,
                    case=case,
                    data={"pathway": "accommodation", "title": f"Goal {n}"},
                )
            referral = refer(cast.probation, person, football, shared_categories=[])
            referral_services.referral_withdraw(
                actor=cast.probation, referral=referral, reason="Recalled to custody"
            )

    viewers = {who: _signed_in(who) for who in (cast.caseworker, cast.probation, cast.family)}
    url = f"/people/{person.pk}/timeline/"
    calls = [
        (viewers[cast.caseworker], url),
        (viewers[cast.probation], url),
        (viewers[cast.probation], f"{url}?show=custody&show=case&page=2"),
        (viewers[cast.family], f"{url}?show=contact&show=goal"),
        (viewers[cast.caseworker], f"{url}?show=custody"),
    ]
    _measure(count_queries, calls)  # the first request after signing in saves the session
    add(5, 0)
    few = _measure(count_queries, calls)
    add(45, 5)
    many = _measure(count_queries, calls)
    # 50 releases and 50 recalls after the start; per case its opening, 50 pauses and 49
    # resumptions (the first release found it open); 100 contacts, 100 goals and, for probation
    # who sent them, 50 referrals.
    assert CustodyEvent.objects.filter(period=period).count() == 101
    counts = [r.context["page_obj"].paginator.count for _n, r in many]
    assert counts == [101 + 200 + 100 + 100, 101 + 200 + 100 + 100 + 50, 101 + 200, 200, 101]
    assert [r.context["page_obj"].paginator.count for _n, r in few] == [
        11 + 20 + 10 + 10,
        11 + 20 + 10 + 10 + 5,
        11 + 20,
        20,
        11,
    ]
    # Probation may read a recall's reason (offence); the lead charity sees the recall only.
    assert "Reason: Failed to keep in touch" in many[2][1].content.decode()
    lead_charity = many[4][1].content.decode()
    assert "Recalled to custody" in lead_charity and "Failed to keep in touch" not in lead_charity
    assert len(many[0][1].context["entries"]) == 50
    assert person.cases.first().events.filter(kind=CaseEventKind.PAUSED).count() == 50
    assert [n for n, _response in many] == [n for n, _response in few]
