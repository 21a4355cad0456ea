"""The authorization matrix for the appointments routes: their decisions, and the records they
need.

The rules, from DESIGN §4 (not from the policy): an appointment is a case note of the case it is
booked on, as the contact it becomes is. It is booked and changed by the case's own
organisation's case-level staff (a peer mentor on a mentee's case); an organisation reads its
own, and another organisation's only where case notes are shared with it. A user's calendar
address is their own; the feed itself is open to anyone holding the secret, and an unknown one
is a 404."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

from django.utils import timezone

from resettle.access.categories import Category
from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.areas.contacts import (
    RECORDERS,
    names_a_case_it_works_on,
    own_record,
    partner_record_visible,
)
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import OTHER, Records, World
from resettle.appointments.models import Appointment
from resettle.appointments.services import calendar_feed_create

WRITE = ("GET", "POST")


def _tomorrow(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _book_body(records: Records) -> dict:
    return {
        "case": str(records.own_case.pk),
        "kind": "gate_meeting",
        "starts_at": _tomorrow(7).isoformat(),
        "minutes": 30,
        "place": "Gate of HMP Northshire",
    }


appointment_read = o.person(partner_record_visible(Category.CASE_NOTES))
appointment_change = o.person(partner_record_visible(Category.CASE_NOTES), own_record())

DECISIONS: dict[str, Decision] = {
    "appointments:person_list": Decision(o.person(), about="person"),
    # The page answers everyone who sees the person; without a live case of theirs it says why.
    "appointments:book": Decision(o.person(), about="person", methods=WRITE),
    "appointments:detail": Decision(appointment_read, about="appointment"),
    "appointments:reschedule": Decision(appointment_change, about="appointment", methods=WRITE),
    "appointments:cancel": Decision(appointment_change, about="appointment", methods=WRITE),
    "appointments:outcome": Decision(appointment_change, about="appointment", methods=WRITE),
    # One's own calendar address, whatever organisation one acts for.
    "appointments:calendar": Decision(o.signed_in(), methods=WRITE),
    "appointments:calendar_create": Decision(o.signed_in(), methods=("POST",)),
    "appointments:calendar_revoke": Decision(o.signed_in(), methods=("POST",)),
    # The secret in the address is the key: no sign-in; anything else is a 404.
    "appointments:feed": Decision(o.public(), about="person"),
    "GET /api/v1/appointments": Decision(o.signed_in()),
    "POST /api/v1/appointments": Decision(
        names_a_case_it_works_on(), about="person", body=_book_body
    ),
    "GET /api/v1/appointments/{appointment_id}": Decision(appointment_read, about="person"),
    "POST /api/v1/appointments/{appointment_id}/reschedule": Decision(
        appointment_change,
        about="person",
        body=lambda r: {"starts_at": _tomorrow(16).isoformat(), "minutes": 45},
    ),
    "POST /api/v1/appointments/{appointment_id}/cancel": Decision(
        appointment_change, about="person", body=lambda r: {"cancelled_by": "person"}
    ),
    "POST /api/v1/appointments/{appointment_id}/record-outcome": Decision(
        appointment_change, about="person", body=lambda r: {"outcome": "attended"}
    ),
}


def _appointment(world: World, case, org_key: str) -> Appointment:
    """Booked an hour ago on the case, with its organisation's recorder: its outcome is due."""
    user = getattr(world.cast, RECORDERS[org_key]).user
    starts_at = timezone.now() - timedelta(hours=1)
    return Appointment.objects.create(
        person=case.person,
        case=case,
        organisation=case.organisation,
        with_user=user,
        booked_by=user,
        kind="face_to_face",
        mode="in_person",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        place="Matrix community centre",
    )


def build(world: World) -> None:
    """Each scope's person has an appointment on the case the routes are tried on (the cases
    area's: the organisation's own, the hub's for the shared and the other person). The mentor
    has a calendar address, which every scope's feed route asks for."""
    keys = {org.pk: key for key, org in world.organisations.items()}
    for (_org_key, scope), person in world.people.items():
        extra = world.per_person[person.pk]["extra"]
        case = extra["case"]
        owner = "hub" if scope == OTHER else keys[case.organisation_id]
        extra["appointment"] = _appointment(world, case, owner)
    feed = calendar_feed_create(user=world.cast.mentor.user)
    for per_person in world.per_person.values():
        per_person["extra"]["feed_token"] = SimpleNamespace(pk=feed.token)
