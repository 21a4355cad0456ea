"""A waiting list is served by urgency, then by how long each referral has waited: an urgent
referral does not wait behind routine ones that came before it. The page, the API and each
referral's position agree."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from resettle.audit.models import AuditAction, AuditEvent
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.referrals import services
from resettle.referrals.models import Referral, WaitingListMove
from resettle.referrals.selectors import waiting_list, waiting_position
from resettle.referrals.tests.conftest import refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(cast, make_person, agreement, session) -> dict[str, Referral]:
    """Four waiting referrals: routine ones from 10 and 5 days ago, an urgent one from today
    and a soon one from 3 days ago."""
    waited = {"old_routine": 10, "new_routine": 5, "urgent": 0, "soon": 3}
    urgency = {
        "old_routine": "routine",
        "new_routine": "routine",
        "urgent": "urgent",
        "soon": "soon",
    }
    referrals = {}
    for name, days_waited in waited.items():
        person = make_person(cast.probation, given_name=name.replace("_", " ").title())
        referral = services.referral_waitlist(
            actor=cast.coordinator,
            referral=refer(
                cast.probation, person, session, shared_categories=[], urgency=urgency[name]
            ),
        )
        Referral.objects.filter(pk=referral.pk).update(
            waiting_since=timezone.now() - timedelta(days=days_waited)
        )
        referral.refresh_from_db()
        referrals[name] = referral
    return referrals


ORDER = ["urgent", "soon", "old_routine", "new_routine"]


def test_the_list_puts_the_most_urgent_first_then_the_longest_waiting(queue, session):
    assert [r.pk for r in waiting_list(service=session)] == [queue[n].pk for n in ORDER]


def test_each_position_agrees_with_the_list(queue):
    assert [waiting_position(queue[n]) for n in ORDER] == [1, 2, 3, 4]


def test_the_api_answers_in_the_same_order(api_as, cast, queue, session):
    response = api_as(cast.coordinator).get(
        "/api/v1/referrals/waiting-list", {"service": str(session.pk)}
    )

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["referral"] for r in results] == [str(queue[n].pk) for n in ORDER]
    assert [r["position"] for r in results] == [1, 2, 3, 4]


# Moving by hand ------------------------------------------------------------------------------


def _order(session) -> list:
    return [r.pk for r in waiting_list(service=session)]


def test_moving_up_swaps_a_referral_with_the_one_ahead_and_records_why(cast, queue, session):
    move = services.referral_waiting_move(
        actor=cast.coordinator,
        referral=queue["new_routine"],
        direction="up",
        reason="Starts work in a fortnight; this is the only session he can make.",
    )

    assert _order(session) == [
        queue[n].pk for n in ("urgent", "soon", "new_routine", "old_routine")
    ]
    assert (move.from_position, move.to_position, move.passed_id) == (4, 3, queue["old_routine"].pk)
    assert [waiting_position(queue[n]) for n in ("new_routine", "old_routine")] == [3, 4]
    events = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="referral")
    assert {e.object_id for e in events} == {
        str(queue["new_routine"].pk),
        str(queue["old_routine"].pk),
    }
    assert all("only session he can make" in e.reason for e in events)


def test_a_move_swaps_places_across_urgencies_and_later_arrivals_queue_by_them(
    cast, queue, session, make_person
):
    services.referral_waiting_move(
        actor=cast.coordinator, referral=queue["soon"], direction="up", reason="Housing at risk."
    )
    assert _order(session)[:2] == [queue["soon"].pk, queue["urgent"].pk]

    newcomer = services.referral_waitlist(
        actor=cast.coordinator,
        referral=refer(
            cast.probation,
            make_person(cast.probation, given_name="Newcomer"),
            session,
            shared_categories=[],
            urgency="urgent",
        ),
    )
    # The two swapped places: the one moved up holds an urgent place, the one it passed holds a
    # "soon" one, so a new urgent referral joins between them.
    assert _order(session)[:3] == [queue["soon"].pk, newcomer.pk, queue["urgent"].pk]


def test_moving_down_and_back_up_restores_the_order(cast, queue, session):
    for direction in ("down", "up"):
        services.referral_waiting_move(
            actor=cast.coordinator, referral=queue["urgent"], direction=direction, reason="Test."
        )

    assert _order(session) == [queue[n].pk for n in ORDER]


@pytest.mark.parametrize(
    ("name", "direction", "message"),
    [("urgent", "up", "already first"), ("new_routine", "down", "already last")],
)
def test_the_ends_of_the_list_cannot_move_further(cast, queue, name, direction, message):
    with pytest.raises(ApplicationError, match=message):
        services.referral_waiting_move(
            actor=cast.coordinator, referral=queue[name], direction=direction, reason="Test."
        )
    assert not WaitingListMove.objects.exists()


def test_a_move_needs_a_reason_and_changes_nothing_without_one(cast, queue, session):
    with pytest.raises(ValidationError):
        services.referral_waiting_move(
            actor=cast.coordinator, referral=queue["soon"], direction="up", reason="  "
        )
    assert _order(session) == [queue[n].pk for n in ORDER]


@pytest.mark.parametrize("who", ["probation", "caseworker", "outsider"])
def test_only_the_services_own_staff_move_a_referral(cast, queue, session, who):
    with pytest.raises(PermissionDenied):
        services.referral_waiting_move(
            actor=getattr(cast, who), referral=queue["soon"], direction="up", reason="Test."
        )
    assert _order(session) == [queue[n].pk for n in ORDER]


def test_a_move_made_on_a_version_someone_else_changed_is_refused(cast, queue):
    stale = queue["soon"].version
    services.referral_waiting_move(
        actor=cast.coordinator, referral=queue["urgent"], direction="down", reason="Test."
    )
    with pytest.raises(services.StaleReferral):
        services.referral_waiting_move(
            actor=cast.coordinator,
            referral=queue["soon"],
            direction="down",
            reason="Test.",
            expected_version=stale,
        )


def test_leaving_the_list_forgets_the_place_set_by_hand(cast, queue):
    services.referral_waiting_move(
        actor=cast.coordinator, referral=queue["soon"], direction="up", reason="Test."
    )
    accepted = services.referral_accept(actor=cast.coordinator, referral=queue["soon"])

    assert (accepted.waiting_rank, accepted.waiting_order) == (None, None)


def test_the_page_offers_moves_asks_why_and_shows_the_history(client_as, cast, queue, session):
    client = client_as(cast.coordinator)
    page = client.get(reverse("referrals:service_waiting_list", args=[session.pk]))
    up = reverse("referrals:waiting_move_up", args=[queue["new_routine"].pk])
    assert up in page.content.decode()
    assert reverse("referrals:waiting_move_up", args=[queue["urgent"].pk]) not in (
        page.content.decode()
    )

    asked = client.get(up)
    assert "is number 4 on the waiting list" in asked.content.decode()
    refused = client.post(up, {"version": queue["new_routine"].version, "reason": ""})
    assert "Say why this referral should move" in refused.content.decode()

    done = client.post(
        up,
        {"version": queue["new_routine"].version, "reason": "Only free on Tuesdays."},
        follow=True,
    )
    body = done.content.decode()
    assert "is now number 3 on the waiting list" in body
    assert "Only free on Tuesdays." in body
    assert "Moved by hand" in body


@pytest.mark.parametrize("who", ["probation", "caseworker", "mentor"])
def test_others_cannot_open_the_move_page(client_as, cast, queue, who):
    response = client_as(getattr(cast, who)).get(
        reverse("referrals:waiting_move_up", args=[queue["soon"].pk])
    )
    assert response.status_code in (403, 404)
    assert not WaitingListMove.objects.exists()


def test_the_api_moves_a_referral_and_refuses_a_stale_etag(api_as, cast, queue, session):
    api = api_as(cast.coordinator)
    url = f"/api/v1/referrals/{queue['soon'].pk}/waiting-list/move"
    stale = api.get(f"/api/v1/referrals/{queue['soon'].pk}")["ETag"]

    moved = api.post(url, {"direction": "up", "reason": "Housing at risk."})
    assert moved.status_code == 200, moved.content
    assert moved.json()["to_position"] == 1
    listed = api.get("/api/v1/referrals/waiting-list", {"service": str(session.pk)}).json()
    assert listed["results"][0]["moved_by_hand"] is True

    again = api.post(
        url, {"direction": "down", "reason": "Changed my mind."}, headers={"If-Match": stale}
    )
    assert again.status_code == 409
    assert api_as(cast.probation).post(url, {"direction": "up", "reason": "x"}).status_code == 403
    bad = api.post(url, {"direction": "sideways", "reason": "x"})
    assert bad.status_code == 400


def test_a_referral_not_on_the_list_cannot_move(client_as, cast, submitted):
    with pytest.raises(ApplicationError, match="no longer on the waiting list"):
        services.referral_waiting_move(
            actor=cast.coordinator, referral=submitted, direction="up", reason="Test."
        )
    page = client_as(cast.coordinator).get(
        reverse("referrals:waiting_move_up", args=[submitted.pk]), follow=True
    )
    assert "not on the waiting list" in page.content.decode()
