"""The authorization matrix for the data-protection routes: decisions and records.

UK GDPR articles 15 and 16 as DESIGN §4 puts them: a subject access pack is asked for, followed
and downloaded only by the organisation's data-protection lead, about someone the organisation
holds records about (works or worked with: every scope of the actor's own organisation; never
"other"). Anyone else who sees the person is refused (403, audited); anyone who does not gets
the same 404 as for no one. No cast member is a data-protection lead, so every actor is refused
here; the leads' own answers are proven in resettle/dataprotection/tests. Corrections (the
history of changes to a person's details) open for anyone who sees the person, and a correction
is made by those who may change the record. Legal holds follow subject access (the same lead,
the same people); the retention schedule is the lead's, like the index."""

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import ENDED, OWN, SHARED, WITHDRAWN, Actor, World
from resettle.dataprotection.models import LegalHold, SubjectAccessExport, SubjectAccessState

WRITE = ("GET", "POST")
# Every scope of the actor's own organisation: the people it works or has worked with.
HELD = frozenset({OWN, SHARED, WITHDRAWN, *ENDED})


def _lead(actor: Actor) -> bool:
    return bool(actor.acting and actor.acting.is_data_protection_lead)


def subject_access(actor: Actor, scope: str | None, world: World) -> o.Outcome:
    if actor.anonymous:
        return o.Outcome.SIGN_IN
    if _lead(actor) and scope in HELD:
        return o.Outcome.ALLOW
    if o.sees_person(actor, scope, world):
        return o.Outcome.FORBIDDEN
    return o.Outcome.NOT_FOUND


lead = (lambda actor, scope, world: _lead(actor), o.Outcome.FORBIDDEN)
person_editor = o.role_in(*o.CASE_LEVEL_ROLES)

DECISIONS: dict[str, Decision] = {
    "dataprotection:index": Decision(o.signed_in(lead)),
    "dataprotection:retention": Decision(o.signed_in(lead), methods=WRITE),
    "dataprotection:legal_holds": Decision(subject_access, about="person", methods=WRITE),
    "dataprotection:legal_hold_lift": Decision(subject_access, about="person", methods=("POST",)),
    "dataprotection:person": Decision(subject_access, about="person", methods=WRITE),
    "dataprotection:export_detail": Decision(subject_access, about="person"),
    "dataprotection:export_download": Decision(subject_access, about="person"),
    "dataprotection:person_corrections": Decision(o.person(), about="person"),
    "dataprotection:person_correct": Decision(
        o.person(person_editor), about="person", methods=WRITE
    ),
    "POST /api/v1/people/{person_id}/subject-access-exports": Decision(
        subject_access, about="person", body=lambda r: {}
    ),
    "GET /api/v1/people/{person_id}/subject-access-exports/{job_id}": Decision(
        subject_access, about="person"
    ),
    "GET /api/v1/people/{person_id}/subject-access-exports/{job_id}/download": Decision(
        subject_access, about="person"
    ),
}


def build(world: World) -> None:
    """A finished pack and a legal hold for every scope's person, made for the lead charity by
    its admin."""
    for person in world.people.values():
        export = SubjectAccessExport.objects.create(
            organisation=world.cast.lead_charity,
            person=person,
            requested_by=world.cast.admin.user,
            state=SubjectAccessState.DONE,
            progress=100,
            file_name="subject-access-matrix.zip",
            content=b"PK",
        )
        world.per_person[person.pk]["extra"]["job"] = export
        world.per_person[person.pk]["extra"]["hold"] = LegalHold.objects.create(
            person=person,
            organisation=world.cast.lead_charity,
            reason="A claim is expected",
            set_by=world.cast.admin.user,
        )
