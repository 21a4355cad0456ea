"""The authorization matrix for the custody routes: their decisions, and the records they need.

DESIGN §4, as written: custody dates, releases and recalls are the custody category
(the "shared" scope has it; own and withdrawn do not); recording custody is for referrers and
caseworkers of probation, the prison or the lead charity; release planning is for the roles that
work with people's records."""

from datetime import date, timedelta

from resettle.access.categories import Category
from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import World
from resettle.custody.models import CustodyKind, CustodyPeriod, ReleaseType

TODAY = date.today()
WRITE = ("GET", "POST")
custody = o.has_category(Category.CUSTODY, o.Outcome.NOT_FOUND)
recorder = o.assessor()  # the same organisations and roles that assess suitability


def _period_body(records) -> dict:
    return {
        "person": str(records.person.pk),
        "kind": "sentence",
        "start_date": TODAY.isoformat(),
        "establishment": "HMP Matrix",
    }


DECISIONS: dict[str, Decision] = {
    # The page opens for anyone who sees the person; it shows custody only with the category.
    "custody:person": Decision(o.person(), about="person"),
    "custody:create": Decision(
        o.person(recorder, o.has_category(Category.CUSTODY, o.Outcome.FORBIDDEN)),
        about="person",
        methods=WRITE,
    ),
    "custody:release": Decision(o.person(custody, recorder), about="person", methods=WRITE),
    "custody:recall": Decision(o.person(custody, recorder), about="person", methods=WRITE),
    # Reading the checklist goes with custody; updating it is checked in the tests.
    "custody:checklist": Decision(o.person(custody), about="person", methods=WRITE),
    "custody:timeline": Decision(o.person(), about="person"),
    # The page's timeline over the API: the same events, read through the same policy.
    "GET /api/v1/people/{person_id}/timeline": Decision(o.person(), about="person"),
    "custody:releases": Decision(o.signed_in(o.case_level())),
    "GET /api/v1/custody-periods": Decision(o.signed_in()),
    "POST /api/v1/custody-periods": Decision(
        o.person(recorder, o.has_category(Category.CUSTODY, o.Outcome.FORBIDDEN)),
        about="person",
        body=_period_body,
    ),
    "GET /api/v1/custody-periods/{period_id}": Decision(o.person(custody), about="person"),
    "POST /api/v1/custody-periods/{period_id}/release": Decision(
        o.person(custody, recorder),
        about="person",
        body=lambda r: {
            "released_on": TODAY.isoformat(),
            "release_type": "conditional",
            "release_address": "1 Matrix Road",
        },
    ),
    "POST /api/v1/custody-periods/{period_id}/recall": Decision(
        o.person(custody, recorder),
        about="person",
        body=lambda r: {"recalled_on": TODAY.isoformat(), "recall_reason": "other"},
    ),
}


def build(world: World) -> None:
    """A released custody period, on licence, for every scope's person."""
    recorded_by = world.cast.probation.user
    for person in world.people.values():
        period = CustodyPeriod.objects.create(
            person=person,
            kind=CustodyKind.SENTENCE,
            start_date=TODAY - timedelta(days=400),
            establishment="HMP Matrix",
            expected_release_date=TODAY - timedelta(days=100),
            licence_end_date=TODAY + timedelta(days=200),
            released_on=TODAY - timedelta(days=100),
            release_type=ReleaseType.CONDITIONAL,
            recorded_by=recorded_by,
        )
        world.per_person[person.pk]["extra"]["period"] = period
