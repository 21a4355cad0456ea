"""What the scale generator reads from (and adds to) the demo partnership it writes on top of:
the organisations by key, their staff, extra staff so a national caseload has workers, and a
handful of services per organisation when the directory has none."""

import hashlib
import math
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from resettle.accounts.models import Membership, Organisation, Role, User
from resettle.core.pathways import Pathway
from resettle.demo.generator.organisations import ORGANISATIONS, PARTNERSHIP_NAME
from resettle.directory.models import Access, Service

# Named demo logins and how many live cases each carries (a believable caseload, DESIGN §7);
# everyone else in the organisation shares the rest.
NAMED_CASELOADS: dict[str, tuple[str, int]] = {
    "probation": ("probation", 50),
    "prison": ("prison", 40),
    "caseworker": ("lead", 45),
    "safeguarding": ("lead", 25),
    "multi": ("lead", 12),
    "mentor": ("mentoring", 15),
    "coordinator": ("trust_millbrook", 30),
    "housing": ("housing", 35),
    "family": ("family", 40),
}
# Live cases per worker across the rest of each organisation's staff.
CASES_PER_WORKER = 45
CASE_ROLES = (Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR)

# Services each kind of organisation offers when the directory has none for it yet.
DEFAULT_SERVICES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "probation": (("Licence supervision", Access.REFERRAL_ONLY, (Pathway.ATTITUDES_BEHAVIOUR,)),),
    "prison": (("Release planning", Access.REFERRAL_ONLY, (Pathway.ACCOMMODATION,)),),
    "lead": (
        ("Resettlement casework", Access.REFERRAL_ONLY, (Pathway.ACCOMMODATION,)),
        ("Benefits and ID help", Access.BOTH, (Pathway.FINANCE_BENEFIT_ID,)),
        ("Drug and alcohol support", Access.REFERRAL_ONLY, (Pathway.DRUGS_ALCOHOL,)),
    ),
    "mentoring": (("Through-the-gate mentoring", Access.REFERRAL_ONLY, (Pathway.MENTORING,)),),
    "trust_millbrook": (
        ("Weekly football sessions", Access.BOTH, (Pathway.SPORT,)),
        ("Coaching qualifications", Access.REFERRAL_ONLY, (Pathway.EDUCATION_EMPLOYMENT,)),
    ),
    "trust_ashcombe": (("Walking football", Access.OPEN, (Pathway.SPORT, Pathway.HEALTH)),),
    "trust_eastgate": (("Boxing fitness", Access.BOTH, (Pathway.SPORT,)),),
    "housing": (
        ("Supported housing", Access.REFERRAL_ONLY, (Pathway.ACCOMMODATION,)),
        ("Tenancy sustainment", Access.REFERRAL_ONLY, (Pathway.ACCOMMODATION,)),
    ),
    "family": (("Family support", Access.BOTH, (Pathway.CHILDREN_FAMILIES,)),),
    "womens": (("Women's centre key work", Access.BOTH, (Pathway.HEALTH,)),),
    "dwp": (("Pre-release benefit claims", Access.REFERRAL_ONLY, (Pathway.FINANCE_BENEFIT_ID,)),),
}


class NoDemo(Exception):
    pass


@dataclass
class World:
    orgs: dict[str, str]  # organisation key -> id (hex)
    users: dict[str, int]  # named login -> user id
    workers: dict[str, list[int]]  # organisation key -> case workers (not the named logins)
    mentors: list[int]
    services: dict[str, list[tuple[str, str]]]  # organisation key -> [(id hex, first pathway)]
    quotas: dict[str, list[list]] = field(default_factory=dict)  # org -> [[user id, left]]
    # Who recorded the generated people: generated staff only, which is how the generator
    # recognises its own data (`scale_data_exists`).
    creators: dict[str, list[int]] = field(default_factory=dict)

    def take_worker(self, org: str, rng) -> int:
        """A named login while their caseload has room, else a colleague."""
        for quota in self.quotas.get(org, ()):
            if quota[1] > 0:
                quota[1] -= 1
                return quota[0]
        pool = self.mentors if org == "mentoring" else self.workers[org]
        return pool[int(rng.random() * len(pool))]

    def creator(self, org: str, rng) -> int:
        pool = self.creators[org]
        return pool[int(rng.random() * len(pool))]

    def any_worker(self, org: str, rng) -> int:
        pool = self.mentors if org == "mentoring" else self.workers[org]
        return pool[int(rng.random() * len(pool))]


def load_world(people: int) -> World:
    """The demo partnership's organisations and staff, adding scale staff and services."""
    by_name = {spec.name: spec.key for spec in ORGANISATIONS}
    found = Organisation.objects.filter(
        partnerships__name=PARTNERSHIP_NAME, name__in=by_name
    ).values_list("name", "id")
    orgs = {by_name[name]: pk.hex for name, pk in found}
    if len(orgs) != len(ORGANISATIONS):
        raise NoDemo(
            "The demo partnership is not in this database: run `manage.py generate_demo` first."
        )
    users = dict(User.objects.filter(username__in=NAMED_CASELOADS).values_list("username", "id"))
    _add_scale_staff(orgs, people)
    workers: dict[str, list[int]] = {}
    for key, org_id in orgs.items():
        rows = Membership.objects.filter(
            organisation_id=org_id, role__in=CASE_ROLES, ended_on__isnull=True
        )
        if key == "mentoring":
            rows = Membership.objects.filter(organisation_id=org_id, role__in=CASE_ROLES)
        workers[key] = sorted(
            set(rows.exclude(user__username__in=NAMED_CASELOADS).values_list("user_id", flat=True))
        ) or sorted(set(rows.values_list("user_id", flat=True)))
    mentors = sorted(
        set(
            Membership.objects.filter(organisation_id=orgs["mentoring"], role=Role.PEER_MENTOR)
            .exclude(user__username__in=NAMED_CASELOADS)
            .values_list("user_id", flat=True)
        )
    )
    world = World(
        orgs=orgs,
        users=users,
        workers=workers,
        mentors=mentors,
        services=_services(orgs),
    )
    for org in ("probation", "lead"):
        world.creators[org] = list(
            User.objects.filter(
                username__startswith=f"scale.{org}.", memberships__organisation_id=orgs[org]
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
    for username, (org, size) in NAMED_CASELOADS.items():
        if username in users:
            world.quotas.setdefault(org, []).append([users[username], size])
    return world


# Share of all people each organisation has a live case with at any time, for sizing its staff.
LIVE_SHARE = {
    "probation": 0.08,
    "prison": 0.01,
    "lead": 0.05,
    "mentoring": 0.02,
    "trust_millbrook": 0.003,
    "trust_ashcombe": 0.002,
    "trust_eastgate": 0.002,
    "housing": 0.015,
    "family": 0.01,
    "womens": 0.005,
    "dwp": 0.01,
}


def _add_scale_staff(orgs: dict[str, str], people: int) -> None:
    """Enough colleagues that nobody's caseload is in the thousands: one per CASES_PER_WORKER
    live cases, with unusable passwords (they never sign in). Usernames are stable, so a second
    run finds them instead of adding more."""
    password = make_password(None)
    new_users: list[User] = []
    plans: list[tuple[str, str, str]] = []
    existing = set(
        User.objects.filter(username__startswith="scale.").values_list("username", flat=True)
    )
    for key, share in LIVE_SHARE.items():
        count = math.ceil(people * share / CASES_PER_WORKER)
        role = (
            Role.PEER_MENTOR
            if key == "mentoring"
            else (Role.REFERRER if key in ("probation", "prison") else Role.CASEWORKER)
        )
        for n in range(1, count + 1):
            username = f"scale.{key}.{n}"
            if username in existing:
                continue
            new_users.append(
                User(
                    username=username,
                    first_name="Worker",
                    last_name=f"{n}",
                    email=f"{username}@example.org",
                    password=password,
                )
            )
            plans.append((username, key, role))
    User.objects.bulk_create(new_users, batch_size=1000)
    ids = dict(
        User.objects.filter(username__in=[p[0] for p in plans]).values_list("username", "id")
    )
    Membership.objects.bulk_create(
        [
            Membership(user_id=ids[username], organisation_id=orgs[key], role=role)
            for username, key, role in plans
        ],
        batch_size=1000,
    )


def _services(orgs: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    result: dict[str, list[tuple[str, str]]] = {}
    for key, org_id in orgs.items():
        existing = list(
            Service.objects.filter(organisation_id=org_id)
            .order_by("name")
            .values_list("id", "pathways")
        )
        if not existing:
            made = [
                Service(
                    id=_stable_id(f"scale-service:{key}:{name}"),
                    organisation_id=org_id,
                    name=name,
                    description=f"{name}: a service of the demo partnership.",
                    access=access,
                    pathways=list(pathways),
                )
                for name, access, pathways in DEFAULT_SERVICES[key]
            ]
            Service.objects.bulk_create(made)
            existing = [(s.id, s.pathways) for s in made]
        result[key] = [
            (pk.hex, (pathways or [Pathway.ACCOMMODATION])[0]) for pk, pathways in existing
        ]
    return result


def _stable_id(text: str) -> uuid.UUID:
    return uuid.UUID(bytes=hashlib.md5(text.encode()).digest(), version=4)  # noqa: S324 (an id)
