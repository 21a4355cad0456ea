"""The authorization matrix for merging two records of one person, and undoing it.

Merging is for the linkage reviewers of the one organisation holding both records: organisation
admins (and data-protection leads, of whom the cast has none; they are tried in
resettle/people/tests). Every other role is refused whatever the record. A reviewer merges a
pair of their partnership's latest run that their organisation works with; another
organisation's pair is the 404 of one that does not exist. An organisation's merges are seen
and undone by its own reviewers only: anyone else's is a 404.

Each organisation has an accepted pair of two records only it holds (so its admin may merge
them), and a merge of its own."""

from datetime import date

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import OWN, World
from resettle.accounts.models import Role
from resettle.linkage.models import LinkPair, PairStatus
from resettle.people.models import Person, PersonMerge, WorkingRelationship

manager = o.role_in(Role.ORGANISATION_ADMIN)
own = o.signed_in(manager, o.scope_in(OWN))
WRITE = ("GET", "POST")

DECISIONS: dict[str, Decision] = {
    "people:merges": Decision(o.signed_in(manager)),
    "people:merge_detail": Decision(own, about="merge"),
    "people:unmerge": Decision(own, about="merge", methods=WRITE),
    "people:merge_new": Decision(own, about="merge_pair", methods=WRITE),
    "POST /api/v1/linkage/merges": Decision(o.signed_in(manager), body=lambda r: {}),
    "GET /api/v1/linkage/merges/{merge_id}": Decision(own, about="merge"),
    "POST /api/v1/linkage/merges/{merge_id}/unmerge": Decision(
        own, about="merge", body=lambda r: {}
    ),
}


def _record(organisation, given: str) -> Person:
    person = Person.objects.create(given_name=given, family_name="Mergeworth")
    WorkingRelationship.objects.create(
        person=person, organisation=organisation, started_on=date.today()
    )
    return person


def build(world: World) -> None:
    for person in world.people.values():
        extra = world.per_person[person.pk]["extra"]
        extra.setdefault("merge_pair", None)
        extra.setdefault("merge", None)
    for organisation in world.organisations.values():
        kept = world.per_organisation.setdefault(organisation.pk, {})
        one, other = sorted(
            (_record(organisation, "Robin"), _record(organisation, "Robyn")),
            key=lambda person: str(person.pk),
        )
        kept["merge_pair"] = LinkPair.objects.create(
            run=kept["run"],
            left=one,
            right=other,
            match_weight=12.0,
            match_probability=0.99,
            agreed={"family_name": "exact"},
            disagreed=["given_name"],
            status=PairStatus.ACCEPTED,
        )
        kept["merge"] = PersonMerge.objects.create(
            organisation=organisation,
            survivor=_record(organisation, "Sam"),
            merged=Person.objects.create(given_name="Sam", family_name="Mergeworth"),
            reason="Made twice at two referrals.",
        )
