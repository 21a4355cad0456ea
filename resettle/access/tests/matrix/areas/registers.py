"""The authorization matrix for the sessions and registers routes: their decisions, and the
records they need.

The rules, from DESIGN §2 and §4 (not from the policy module):
- A session and its register are the delivering organisation's. Its coordinators and caseworkers
  see its sessions and take their registers; its admins see them and plan them (add, cancel) but
  do not take registers (403); anyone else, or another organisation's session, is a 404.
- A programme is part of a service's directory entry: seen where the service is (the actor's
  own organisation's and its partners'), a 404 elsewhere.
- Who is enrolled is case notes about a person: an enrolment is seen by the case-level staff of
  the organisation working with the person (a 404 otherwise); the coordinator confirms
  completion, coordinators and caseworkers withdraw and record feedback (others who see it 403).
- Enrolling names a person and a service in the body: a person or service the actor cannot see
  is invalid input (400); another organisation's service, or a role that does not enrol, 403."""

import uuid
from datetime import timedelta

from django.utils import timezone

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import OTHER, OWN, SHARED, WITHDRAWN, Records, World
from resettle.accounts.models import Role
from resettle.directory.models import Access, Service
from resettle.registers.models import CompletionRule, Enrolment, Programme, Session

WRITE = ("GET", "POST")
REGISTER_ROLES = (Role.DELIVERY_COORDINATOR, Role.CASEWORKER)
PLANNERS = (Role.DELIVERY_COORDINATOR, Role.ORGANISATION_ADMIN)

# A session: the actor's own organisation's, to its register takers and planners.
session_visible = (
    lambda actor, scope, world: scope == OWN and actor.role in (*REGISTER_ROLES, *PLANNERS),
    o.Outcome.NOT_FOUND,
)
register_taker = o.role_in(*REGISTER_ROLES)
register = o.signed_in(session_visible, register_taker)
planner = o.signed_in(session_visible, o.role_in(*PLANNERS))
enrolment = o.person()
# A service's sessions are planned by its own organisation's coordinators and admins: a service
# the actor sees (its own or a partner's) is refused (403), any other a 404.
service_planner = o.organisation(
    o.scope_in(OWN, otherwise=o.Outcome.FORBIDDEN), o.role_in(*PLANNERS)
)


def _id(record) -> str:
    return str(record.pk if record is not None else uuid.uuid4())


def _session_body(records: Records) -> dict:
    starts = timezone.now() + timedelta(days=3)
    return {
        "service": _id(records.session_service),
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "place": "Matrix pitch",
    }


def _move_body(records: Records) -> dict:
    starts = timezone.now() + timedelta(days=4)
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "reason": "Matrix: pitch booked",
    }


def _marks_body(records: Records) -> dict:
    return {"marks": [{"key": "matrix-mark", "person": _id(records.person), "status": "attended"}]}


def _enrolment_body(records: Records) -> dict:
    return {
        "person": _id(records.person),
        "service": _id(records.session_service),
        "reason": "Matrix: came to an open session",
    }


def enrols() -> o.Rule:
    """Naming a person and a service: the person must be one the actor sees and the service
    one it sees (the scope's own organisation's or a partner's) or the body is invalid; then
    only its own organisation's service, by a coordinator or caseworker."""
    return o.signed_in(
        o.case_level(o.Outcome.INVALID),
        o.scope_in(OWN, SHARED, WITHDRAWN, otherwise=o.Outcome.INVALID),
        o.scope_in(OWN, SHARED, otherwise=o.Outcome.INVALID),
        o.scope_in(OWN, otherwise=o.Outcome.FORBIDDEN),
        o.role_in(*REGISTER_ROLES),
    )


DECISIONS: dict[str, Decision] = {
    "registers:session_list": Decision(o.signed_in()),
    "registers:session_create": Decision(service_planner, about="session_service", methods=WRITE),
    "registers:generate": Decision(service_planner, about="session_service", methods=WRITE),
    "registers:register": Decision(register, about="session", methods=WRITE),
    "registers:marks": Decision(register, about="session", methods=("POST",)),
    "registers:headcount": Decision(register, about="session", methods=WRITE),
    "registers:note_create": Decision(register, about="session", methods=WRITE),
    "registers:sign_up": Decision(register, about="session", methods=WRITE),
    "registers:move": Decision(planner, about="session", methods=WRITE),
    "registers:cancel": Decision(planner, about="session", methods=WRITE),
    "registers:programme": Decision(o.organisation(), about="programme"),
    "registers:enrolment": Decision(enrolment, about="enrolment"),
    "registers:complete": Decision(
        o.person(o.role_in(Role.DELIVERY_COORDINATOR)), about="enrolment", methods=WRITE
    ),
    "registers:feedback": Decision(
        o.person(o.role_in(*REGISTER_ROLES)), about="enrolment", methods=WRITE
    ),
    "GET /api/v1/sessions": Decision(o.signed_in()),
    "POST /api/v1/sessions": Decision(
        o.signed_in(
            o.scope_in(OWN, SHARED, otherwise=o.Outcome.INVALID),
            o.scope_in(OWN, otherwise=o.Outcome.FORBIDDEN),
            o.role_in(*PLANNERS),
        ),
        about="session_service",
        body=_session_body,
    ),
    "GET /api/v1/sessions/{session_id}": Decision(o.signed_in(session_visible), about="session"),
    "POST /api/v1/sessions/{session_id}/cancel": Decision(
        planner, about="session", body=lambda records: {"reason": "Matrix: no coach"}
    ),
    "POST /api/v1/sessions/{session_id}/move": Decision(planner, about="session", body=_move_body),
    "GET /api/v1/sessions/{session_id}/attendance": Decision(
        o.signed_in(session_visible), about="session"
    ),
    "POST /api/v1/sessions/{session_id}/attendance": Decision(
        register, about="session", body=_marks_body
    ),
    "GET /api/v1/programmes": Decision(o.signed_in()),
    "POST /api/v1/programmes": Decision(
        o.signed_in(
            o.scope_in(OWN, SHARED, otherwise=o.Outcome.INVALID),
            o.scope_in(OWN, otherwise=o.Outcome.FORBIDDEN),
            o.role_in(*PLANNERS),
        ),
        about="session_service",
        body=lambda records: {
            "service": _id(records.session_service),
            "name": "Matrix programme",
            "sessions_planned": 6,
            "completion_rule": "at_least",
            "minimum_attended": 5,
        },
    ),
    "GET /api/v1/programmes/{programme_id}": Decision(o.organisation(), about="programme"),
    "GET /api/v1/enrolments": Decision(o.signed_in()),
    "POST /api/v1/enrolments": Decision(enrols(), about="person", body=_enrolment_body),
    "GET /api/v1/enrolments/{enrolment_id}": Decision(enrolment, about="enrolment"),
    "POST /api/v1/enrolments/{enrolment_id}/complete": Decision(
        o.person(o.role_in(Role.DELIVERY_COORDINATOR)),
        about="enrolment",
        body=lambda records: {},
    ),
    "POST /api/v1/enrolments/{enrolment_id}/withdraw": Decision(
        o.person(o.role_in(*REGISTER_ROLES)),
        about="enrolment",
        body=lambda records: {"reason": "Matrix: moved away"},
    ),
}


def build(world: World) -> None:
    """For each organisation: a referral-only service delivered in sessions, with a programme
    and an open session today; each person enrolled in their organisation's service (the
    "other" person in the hub's)."""
    names = ("session", "programme", "session_service")
    for extra in world.per_person.values():
        for name in names:
            extra["extra"].setdefault(name, None)
    now = timezone.now().replace(microsecond=0)
    services: dict[object, Service] = {}
    for organisation in world.organisations.values():
        service = Service.objects.create(
            organisation=organisation,
            name="Matrix weekly sessions",
            description="Sessions with a register.",
            access=Access.REFERRAL_ONLY,
            pathways=["sport"],
        )
        programme = Programme.objects.create(
            service=service,
            name="Matrix course",
            sessions_planned=8,
            completion_rule=CompletionRule.AT_LEAST,
            minimum_attended=7,
        )
        session = Session.objects.create(
            service=service,
            programme=programme,
            programme_session=1,
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            open=True,
            capacity=30,
        )
        services[organisation.pk] = service
        world.per_organisation.setdefault(organisation.pk, {}).update(
            {"session": session, "programme": programme, "session_service": service}
        )
    for (org_key, scope), person in world.people.items():
        organisation = world.organisations["hub" if scope == OTHER else org_key]
        world.per_person[person.pk]["extra"]["enrolment"] = Enrolment.objects.create(
            person=person,
            service=services[organisation.pk],
            enrolled_on=timezone.localdate() - timedelta(days=20),
            reason="Matrix: came to an open session",
        )
