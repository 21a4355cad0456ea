"""The authorization matrix for the today and caseload routes: decisions and records.

The rule, from DESIGN §2: today and caseload are a worker's or mentor's own live
cases, so they are for the roles that work with individual people's records; partnership
managers, analysts and admins are refused (403). What each page lists is checked by the content
checks: it must never show a person the actor may not see."""

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import World

DECISIONS: dict[str, Decision] = {
    "today:today": Decision(o.signed_in(o.case_level())),
    "today:caseload": Decision(o.signed_in(o.case_level())),
}


def build(world: World) -> None:
    """No records of its own: the pages list the cases the other areas build."""
