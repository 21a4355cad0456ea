"""The authorization matrix for the mentoring routes: their decisions, and the records they need.

The rules, from DESIGN §2 and §4 (not from the policy module):
- Mentor profiles belong to the mentor's organisation. Its caseworkers, coordinators and admins
  see and manage them; a peer mentor sees their own (in the scenario, the own organisation's
  profile is the mentor's own); anyone else, or another organisation's profile, is a 404.
- Supervision notes are about the mentor: the organisation's managers read and write them, the
  mentor reads their own; nobody else.
- Matching, preferences, allocating, reallocating and ending mentoring are for the caseworkers
  and coordinators of an organisation working with the person (the mentors' own organisation);
  a peer mentor, a referrer or an aggregate role who can see the person is refused (403)."""

from datetime import date, timedelta

from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import World
from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_user
from resettle.mentoring.models import MentorProfile, SupervisionNote

WRITE = ("GET", "POST")
MANAGERS = (Role.CASEWORKER, Role.DELIVERY_COORDINATOR, Role.ORGANISATION_ADMIN)
ALLOCATORS = (Role.CASEWORKER, Role.DELIVERY_COORDINATOR)

manager = o.role_in(*MANAGERS)
# A profile: the actor's own organisation's, to a manager or (their own) to the mentor.
profile_visible = (
    lambda actor, scope, world: scope == o.OWN and actor.role in (*MANAGERS, Role.PEER_MENTOR),
    o.Outcome.NOT_FOUND,
)
profile = o.signed_in(profile_visible)
profile_manager = o.signed_in(profile_visible, manager)
allocator = o.person(o.role_in(*ALLOCATORS))

DECISIONS: dict[str, Decision] = {
    "mentoring:mentor_list": Decision(o.signed_in(o.role_in(*MANAGERS, Role.PEER_MENTOR))),
    "mentoring:mentor_create": Decision(o.signed_in(manager), methods=WRITE),
    "mentoring:mentor_detail": Decision(profile, about="mentor_profile"),
    "mentoring:mentor_edit": Decision(profile_manager, about="mentor_profile", methods=WRITE),
    "mentoring:supervision": Decision(profile, about="mentor_profile"),
    "mentoring:supervision_create": Decision(
        profile_manager, about="mentor_profile", methods=WRITE
    ),
    "mentoring:person": Decision(allocator, about="person"),
    "mentoring:preferences": Decision(allocator, about="person", methods=WRITE),
    "mentoring:match": Decision(allocator, about="person"),
    "mentoring:allocate": Decision(allocator, about="person", methods=WRITE),
    "mentoring:reallocate": Decision(allocator, about="person", methods=WRITE),
    "mentoring:end": Decision(allocator, about="person", methods=WRITE),
}


def build(world: World) -> None:
    """A mentor profile in every organisation (the mentoring charity's is the cast mentor's),
    and a supervision note about the cast mentor."""
    today = date.today()
    for extra in world.per_person.values():
        extra["extra"].setdefault("mentor_profile", None)
    mentoring = world.organisations["mentoring_charity"]
    for key, organisation in world.organisations.items():
        user = world.cast.mentor.user if organisation == mentoring else make_user()
        profile = MentorProfile.objects.create(
            user=user,
            organisation=organisation,
            area="Millbrook",
            capacity=3,
            training_completed_on=today - timedelta(days=200),
            dbs_checked_on=today - timedelta(days=200),
            dbs_expires_on=today + timedelta(days=800),
        )
        SupervisionNote.objects.create(
            mentor=profile,
            written_by=user,
            held_on=today - timedelta(days=7),
            note=f"Matrix supervision note ({key}).",
        )
        world.per_organisation.setdefault(organisation.pk, {})["mentor_profile"] = profile
