"""The authorization matrix for the outcomes routes: their decisions, and the records they need.

The rules, from DESIGN §4 and §11 (not from the policy): outcome answers are personal data in
the outcomes category. An organisation reads the assessments it recorded about people it works
with, and another organisation's only where outcomes are shared with it. Whoever may record
contacts on a case of their organisation records assessments on it. A closed case's goals are
rated by the staff who manage the organisation's cases. A service's outcome summary (counts, no
one named) is for those who manage the work and those who report on it; its schedule is set by
managers, admins and caseworkers. Instrument definitions are for any signed-in client."""

import uuid
from datetime import date, timedelta
from types import SimpleNamespace

from resettle.access.categories import Category
from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.areas.contacts import (
    RECORDERS,
    live_case,
    names_a_case_it_works_on,
    partner_record_visible,
)
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import ENDED, OTHER, SHARED, Records, World
from resettle.accounts.models import Role
from resettle.cases.models import Case, CaseState, CloseReason
from resettle.outcomes.models import Assessment, Instrument

WRITE = ("GET", "POST")
SUMMARY_READERS = (*o.CREATE_ROLES, Role.PARTNERSHIP_MANAGER, Role.ANALYST)
SCHEDULE_SETTERS = (Role.PARTNERSHIP_MANAGER, Role.ORGANISATION_ADMIN, Role.CASEWORKER)

assessment_read = o.person(partner_record_visible(Category.OUTCOMES))


def _case_visible(actor, scope, world) -> bool:
    """own and withdrawn: the organisation's closed case; shared: the hub's, which is case
    notes."""
    return scope != SHARED or Category.CASE_NOTES in o.categories(actor, scope, world)


# The closed case: visible (404), then a caseworker, referrer or coordinator (403), then the
# actor's own organisation's (403).
end_of_support = o.person(
    (_case_visible, o.Outcome.NOT_FOUND),
    o.role_in(*o.CREATE_ROLES),
    o.scope_in(o.OWN, o.WITHDRAWN, otherwise=o.Outcome.FORBIDDEN),
)
# Any signed-in client reads a loaded instrument; an id that names none is a 404.
instrument_read = o.signed_in((lambda actor, scope, world: scope != OTHER, o.Outcome.NOT_FOUND))


def _assessment_body(records: Records) -> dict:
    return {
        "person": str(records.person.pk),
        "case": str(records.own_case.pk),
        "instrument": "physical_activity",
        "timepoint": "baseline",
        "completed_on": date.today().isoformat(),
        "answered_by": "person",
        "answers": {"minutes": 45},
    }


DECISIONS: dict[str, Decision] = {
    "outcomes:person": Decision(o.person(), about="person"),
    "outcomes:record": Decision(o.person(), about="person", methods=WRITE),
    "outcomes:self": Decision(o.person(), about="person", methods=WRITE),
    "outcomes:self_done": Decision(o.person(), about="person"),
    "outcomes:detail": Decision(assessment_read, about="outcome_assessment"),
    "outcomes:end_of_support": Decision(end_of_support, about="ended_case", methods=WRITE),
    "outcomes:summary": Decision(o.signed_in(o.role_in(*SUMMARY_READERS))),
    "outcomes:schedules": Decision(
        o.signed_in(o.role_in(*SUMMARY_READERS, Role.ORGANISATION_ADMIN))
    ),
    "outcomes:schedule_edit": Decision(o.signed_in(o.role_in(*SCHEDULE_SETTERS)), methods=WRITE),
    "GET /api/v1/instruments": Decision(o.signed_in()),
    "GET /api/v1/instruments/{instrument_id}": Decision(instrument_read, about="instrument"),
    "GET /api/v1/assessments": Decision(o.signed_in()),
    "GET /api/v1/assessments/{outcome_assessment_id}": Decision(
        assessment_read, about="outcome_assessment"
    ),
    "POST /api/v1/assessments": Decision(
        names_a_case_it_works_on(), about="person", body=_assessment_body
    ),
}


def _assessment(world: World, case: Case, org_key: str, instrument: Instrument) -> Assessment:
    return Assessment.objects.create(
        person=case.person,
        case=case,
        organisation=case.organisation,
        instrument=instrument,
        timepoint="baseline",
        completed_on=case.opened_on,
        answered_by="person",
        answers={"minutes": 20},
        scores={"minutes": 20},
        bands={"minutes": "inactive"},
        recorded_by=getattr(world.cast, RECORDERS[org_key]).user,
    )


def _closed_case(person, organisation, mentor=None) -> Case:
    closed_on = date.today() - timedelta(days=3)
    return Case.objects.create(
        person=person,
        organisation=organisation,
        mentor=mentor,
        opened_on=closed_on - timedelta(days=90),
        state=CaseState.CLOSED,
        closed_on=closed_on,
        close_reason=CloseReason.OTHER,
    )


def build(world: World) -> None:
    """Each scope's person has an assessment on the organisation's live case and a closed case
    of the organisation with no outcomes yet; the shared person's routes name the hub's (its
    assessment shared under outcomes, its case under case notes), as do the other person's.
    Every scope names a loaded instrument but the other one, which names an id of none."""
    hub = world.organisations["hub"]
    mentor = world.cast.mentor.user
    activity = Instrument.objects.get(code="physical_activity", version=1)
    for (org_key, scope), person in world.people.items():
        extra = world.per_person[person.pk]["extra"]
        extra["instrument"] = activity if scope != OTHER else SimpleNamespace(pk=uuid.uuid4())
        if scope in (OTHER, SHARED):
            extra["outcome_assessment"] = _assessment(
                world, live_case(person, hub), "hub", activity
            )
            extra["ended_case"] = _closed_case(person, hub)
            continue
        own_mentor = mentor if org_key == "mentoring_charity" else None
        organisation = world.organisations[org_key]
        case = extra.get("own_case") or live_case(person, organisation, mentor=own_mentor)
        extra["outcome_assessment"] = _assessment(world, case, org_key, activity)
        extra["ended_case"] = (
            extra["case"] if scope in ENDED else _closed_case(person, organisation, own_mentor)
        )
