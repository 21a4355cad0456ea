"""Demo sign-ins: one per role (DESIGN §7), `multi` for organisation switching, and colleagues
in every organisation so caseload and allocation lists look like a real team's."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from resettle.accounts.models import Membership, Role, User
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.demo.generator.namelists import STAFF_NAMES
from resettle.lib.names import fold


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    # (organisation key, role, is safeguarding lead) for each membership.
    memberships: tuple[tuple[str, str, bool], ...]


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("probation", "Rachel", "Okonjo", (("probation", Role.REFERRER, False),)),
    DemoLogin("prison", "Gavin", "Mercer", (("prison", Role.REFERRER, False),)),
    DemoLogin("caseworker", "Aisha", "Begum", (("lead", Role.CASEWORKER, False),)),
    DemoLogin("mentor", "Dwayne", "Holloway", (("mentoring", Role.PEER_MENTOR, False),)),
    DemoLogin(
        "coordinator", "Kerry", "Lomax", (("trust_millbrook", Role.DELIVERY_COORDINATOR, False),)
    ),
    DemoLogin("family", "Bethan", "Price", (("family", Role.CASEWORKER, False),)),
    DemoLogin("housing", "Marek", "Zielinski", (("housing", Role.CASEWORKER, False),)),
    DemoLogin("manager", "Judith", "Ashworth", (("lead", Role.PARTNERSHIP_MANAGER, False),)),
    DemoLogin("analyst", "Sunil", "Varma", (("lead", Role.ANALYST, False),)),
    DemoLogin("admin", "Colin", "Featherstone", (("lead", Role.ORGANISATION_ADMIN, False),)),
    DemoLogin("safeguarding", "Maureen", "Kaye", (("lead", Role.CASEWORKER, True),)),
    DemoLogin(
        "multi",
        "Jess",
        "Armitage",
        (("lead", Role.CASEWORKER, False), ("housing", Role.CASEWORKER, False)),
    ),
)
DEMO_USERNAMES: tuple[str, ...] = tuple(login.username for login in DEMO_LOGINS)
# Who answers subject access requests for their organisation (the lead charity's admin), so the
# demo can show the data-protection pages.
DATA_PROTECTION_LEADS = frozenset({"admin"})

# Colleagues of the named logins: how many of each role every organisation has besides them.
EXTRA_STAFF: tuple[tuple[str, str, int], ...] = (
    ("probation", Role.REFERRER, 3),
    ("prison", Role.REFERRER, 2),
    ("lead", Role.CASEWORKER, 3),
    ("mentoring", Role.PEER_MENTOR, 4),
    ("mentoring", Role.CASEWORKER, 1),
    ("trust_millbrook", Role.DELIVERY_COORDINATOR, 1),
    ("trust_ashcombe", Role.DELIVERY_COORDINATOR, 2),
    ("trust_eastgate", Role.DELIVERY_COORDINATOR, 2),
    ("housing", Role.CASEWORKER, 2),
    ("family", Role.CASEWORKER, 2),
    ("womens", Role.CASEWORKER, 3),
    ("dwp", Role.CASEWORKER, 3),
)


def create_users(result: DemoResult, *, password: str) -> None:
    step = Step(result, "users")
    # One hash for everyone: hashing is deliberately slow, and every demo user shares the password.
    password_hash = make_password(password)
    users: list[User] = []
    memberships: list[tuple[User, str, str, bool]] = []

    def add_user(username: str, first: str, last: str, *, is_demo: bool = False) -> User:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=password_hash,
            is_demo=is_demo,
        )
        users.append(user)
        return user

    for login in DEMO_LOGINS:
        user = add_user(login.username, login.first_name, login.last_name, is_demo=True)
        result.users[login.username] = user
        for org_key, role, lead in login.memberships:
            memberships.append((user, org_key, role, lead))

    names = list(STAFF_NAMES)
    step.rng.shuffle(names)
    for org_key, role, count in EXTRA_STAFF:
        for _ in range(count):
            first, last = names.pop()
            add_user(f"{fold(first)}.{fold(last)}", first, last)
            memberships.append((users[-1], org_key, role, False))

    save_all(User, users, "users", result)
    rows = [
        Membership(
            id=step.new_id(),
            user=user,
            organisation=result.organisations[org_key],
            role=role,
            is_safeguarding_lead=lead,
            is_data_protection_lead=user.username in DATA_PROTECTION_LEADS,
        )
        for user, org_key, role, lead in memberships
    ]
    save_all(Membership, rows, "memberships", result)
    for user, org_key, role, _ in memberships:
        result.staff.setdefault(f"{org_key}:{role}", []).append(user)
