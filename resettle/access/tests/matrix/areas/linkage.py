"""The authorization matrix for record linkage and cases in common: decisions and records.

Linkage is run and reviewed by organisation admins and data-protection leads (no cast member is
a data-protection lead, so only admins are allowed here; the leads are tried in
resettle/linkage/tests). A run is its partnership's: an admin of a member sees it, anyone else
whatever their role is refused, and another partnership's run is the 404 of one that does not
exist. A pair is seen by an admin whose organisation works with one of its records; any other
pair, even of their own partnership, is a 404.

Cases in common are for the roles that take part in the partnership's case meeting: referrers,
caseworkers, delivery coordinators, partnership managers and organisation admins; what the list
names is checked by the content checks (it must never show a person the actor may not see)."""

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import OTHER, OWN, SHARED, World
from resettle.accounts.models import Role
from resettle.linkage.models import LinkageRun, LinkPair, PairStatus, RunState
from resettle.partnerships.models import Partnership
from resettle.people.models import Person

manager = o.role_in(Role.ORGANISATION_ADMIN)
in_common = o.role_in(
    Role.REFERRER,
    Role.CASEWORKER,
    Role.DELIVERY_COORDINATOR,
    Role.PARTNERSHIP_MANAGER,
    Role.ORGANISATION_ADMIN,
)
run_rule = o.signed_in(manager, o.scope_in(OWN, SHARED))
pair_rule = o.signed_in(manager, o.scope_in(OWN))
WRITE = ("GET", "POST")

DECISIONS: dict[str, Decision] = {
    "linkage:runs": Decision(o.signed_in(manager)),
    "linkage:run_start": Decision(o.signed_in(manager), methods=("POST",)),
    "linkage:run_detail": Decision(run_rule, about="run"),
    "linkage:review": Decision(o.signed_in(manager)),
    "linkage:pair": Decision(pair_rule, about="pair", methods=WRITE),
    "linkage:cases_in_common": Decision(o.signed_in(in_common)),
    "linkage:cases_in_common_csv": Decision(o.signed_in(in_common)),
    "POST /api/v1/linkage/runs": Decision(o.signed_in(manager), body=lambda r: {}),
    "GET /api/v1/linkage/runs/{run_id}": Decision(run_rule, about="run"),
    "GET /api/v1/linkage/pairs": Decision(o.signed_in(manager)),
}


def _pair(run: LinkageRun, one: Person, other: Person) -> LinkPair:
    left, right = sorted((one, other), key=lambda p: str(p.pk))
    return LinkPair.objects.create(
        run=run,
        left=left,
        right=right,
        match_weight=4.0,
        match_probability=0.94,
        agreed={"family_name": "exact"},
        disagreed=["date_of_birth"],
        status=PairStatus.REVIEW,
    )


def build(world: World) -> None:
    """A finished run for the cast's partnership and one for the outsider's; in each, a pair
    for every organisation joining a person it works with to one it does not (the hub's joins
    two people of others, so no cast organisation works with either)."""
    for person in world.people.values():
        extra = world.per_person[person.pk]["extra"]
        extra.setdefault("run", None)
        extra.setdefault("pair", None)
    cast_partnership = world.cast.partnership
    elsewhere = Partnership.objects.get(name="Elsewhere Partnership")
    ours = LinkageRun.objects.create(
        partnership=cast_partnership, state=RunState.DONE, progress=100, figures={"records": 3}
    )
    theirs = LinkageRun.objects.create(
        partnership=elsewhere, state=RunState.DONE, progress=100, figures={"records": 2}
    )
    unrelated = world.people[("other", OTHER)]
    for key, organisation in world.organisations.items():
        kept = world.per_organisation.setdefault(organisation.pk, {})
        if key in ("outside_organisation", "far_partner"):
            kept["run"] = theirs
            if key == "outside_organisation":
                kept["pair"] = _pair(theirs, world.people[(key, OWN)], world.people[(key, SHARED)])
            continue
        kept["run"] = ours
        if key == "hub":
            kept["pair"] = _pair(ours, world.people[("probation_unit", SHARED)], unrelated)
        elif (key, OWN) in world.people:
            kept["pair"] = _pair(ours, world.people[(key, OWN)], unrelated)
