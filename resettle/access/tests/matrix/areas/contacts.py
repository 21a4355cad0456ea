"""The authorization matrix for the contacts routes: their decisions, and the records they need.

The rules, from DESIGN §4 (not from the policy): contacts are recorded by the case's
own organisation, by its case-level staff, and by a peer mentor on a mentee's case; an
organisation reads its own contacts, and another organisation's only where case notes are shared
with it; a sensitive note never leaves the organisation that recorded it."""

from datetime import date, timedelta

from django.utils import timezone

from resettle.access.categories import Category
from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import OTHER, OWN, SHARED, WITHDRAWN, Records, World
from resettle.cases.models import Case, CaseState
from resettle.contacts.models import Contact

WRITE = ("GET", "POST")
# Who records in each organisation of the scenario (the hub has no cast member).
RECORDERS = {
    "probation_unit": "probation",
    "prison_team": "prison",
    "lead_charity": "caseworker",
    "mentoring_charity": "mentor",
    "football_trust": "coordinator",
    "family_charity": "family",
    "housing_provider": "housing",
    "outside_organisation": "outsider",
    "hub": "admin",
}


def partner_record_visible(category: str) -> o.Step:
    """The scope's record is the actor's own organisation's, except for the shared person, whose
    record is the hub's: visible only with `category` shared, else as if it did not exist."""

    def check(actor, scope, world) -> bool:
        return scope != SHARED or category in o.categories(actor, scope, world)

    return (check, o.Outcome.NOT_FOUND)


def own_record(otherwise: o.Outcome = o.Outcome.FORBIDDEN) -> o.Step:
    """Only the organisation whose case it is changes it (the shared scope's is the hub's)."""
    return (lambda actor, scope, world: scope in (OWN, WITHDRAWN), otherwise)


def names_a_case_it_works_on() -> o.Rule:
    """A write naming a case in its body: a case the actor cannot see is invalid input (400),
    as is a nonexistent one; the scopes' cases are the actor's organisation's own."""
    return o.signed_in(
        o.case_level(o.Outcome.INVALID),
        o.scope_in(OWN, SHARED, WITHDRAWN, otherwise=o.Outcome.INVALID),
    )


def _contact_body(records: Records) -> dict:
    return {
        "case": str(records.own_case.pk),
        "kind": "phone",
        "happened_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "outcome": "attended",
        "duration_minutes": 10,
        "pathways": ["accommodation"],
    }


contact_read = o.person(partner_record_visible(Category.CASE_NOTES))

DECISIONS: dict[str, Decision] = {
    "contacts:person_list": Decision(o.person(), about="person"),
    "contacts:create": Decision(o.person(), about="person", methods=WRITE),
    # The page always answers (the family's support is shown only with family information).
    "contacts:family_support": Decision(o.person(), about="person"),
    "contacts:detail": Decision(contact_read, about="contact"),
    "GET /api/v1/contacts": Decision(o.signed_in()),
    "POST /api/v1/contacts": Decision(
        names_a_case_it_works_on(), about="person", body=_contact_body
    ),
    "GET /api/v1/contacts/{contact_id}": Decision(contact_read, about="person"),
}


def live_case(person, organisation, mentor=None) -> Case:
    """The person's live case with the organisation: the cases area's when it made one."""
    case = (
        Case.objects.filter(person=person, organisation=organisation)
        .exclude(state=CaseState.CLOSED)
        .first()
    )
    if case is None:
        case = Case.objects.create(
            person=person,
            organisation=organisation,
            opened_on=date.today() - timedelta(days=30),
            mentor=mentor,
        )
    elif mentor is not None and case.mentor_id is None:
        case.mentor = mentor
        case.save(update_fields=["mentor", "updated_at"])
    return case


def _contact(world: World, case: Case, org_key: str, **fields) -> Contact:
    recorder = getattr(world.cast, RECORDERS[org_key]).user
    return Contact.objects.create(
        person=case.person,
        case=case,
        organisation=case.organisation,
        recorded_by=recorder,
        kind="face_to_face",
        happened_at=timezone.now() - timedelta(days=2),
        outcome="attended",
        duration_minutes=30,
        pathways=["accommodation"],
        **fields,
    )


def build(world: World) -> None:
    """For each scope's person: a case of the organisation with a contact and a sensitive one;
    the shared person also has a hub case whose contact (shared under case notes) is the one
    the routes name; the other person only the hub's."""
    mentor = world.cast.mentor.user
    hub = world.organisations["hub"]
    for (org_key, scope), person in world.people.items():
        extra = world.per_person[person.pk]["extra"]
        if scope == OTHER:
            case = live_case(person, hub)
            extra["own_case"] = case
            extra["contact"] = _contact(world, case, "hub", note="Hub note")
            continue
        case = live_case(
            person,
            world.organisations[org_key],
            mentor=mentor if org_key == "mentoring_charity" else None,
        )
        extra["own_case"] = case
        extra["contact"] = _contact(world, case, org_key, note="Own note")
        extra["sensitive_contact"] = _contact(
            world, case, org_key, note="Matrix sensitive note", sensitive=True
        )
        if scope == SHARED:
            hub_case = live_case(person, hub)
            extra["hub_case"] = hub_case
            extra["contact"] = _contact(world, hub_case, "hub", note="Hub shared note")
