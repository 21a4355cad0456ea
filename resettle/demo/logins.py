"""The sign-in block both demo commands print."""

from django.contrib.auth.hashers import check_password

from resettle.accounts.models import Membership, OrganisationKind, User
from resettle.demo.generator import DEMO_USERNAMES, PARTNERSHIP_NAME

# Where `make run` serves unless HOST and PORT say otherwise.
DEMO_URL = "http://127.0.0.1:8000/"


def demo_users() -> list[User]:
    """The demo's named sign-ins: a real account that happens to be called `admin` is not one."""
    users = User.objects.filter(
        username__in=DEMO_USERNAMES,
        memberships__organisation__partnerships__name=PARTNERSHIP_NAME,
    ).distinct()
    found = {u.username: u for u in users}
    return [found[name] for name in DEMO_USERNAMES if name in found]


def password_works(users: list[User], password: str) -> bool:
    # Checking one account is enough: the generator gives them all the same hash.
    return bool(users) and check_password(password, users[0].password)


def login_table(users: list[User]) -> list[str]:
    memberships = Membership.objects.filter(user__in=users, ended_on__isnull=True).select_related(
        "organisation"
    )
    by_user: dict[int, list[Membership]] = {}
    for membership in memberships.order_by("created_at"):
        by_user.setdefault(membership.user_id, []).append(membership)
    rows = [("Username", "Organisation", "Role")]
    for user in users:
        for i, membership in enumerate(by_user.get(user.pk, [])):
            role = membership.get_role_display()
            if membership.organisation.kind == OrganisationKind.FAMILY_SUPPORT:
                role += " (children and families)"
            if membership.is_safeguarding_lead:
                role += " and safeguarding lead"
            if membership.is_data_protection_lead:
                role += " and data-protection lead"
            rows.append((user.username if i == 0 else "", membership.organisation.name, role))
    widths = [max(len(row[col]) for row in rows) for col in range(3)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return [line.rstrip() for line in lines]


def sign_in_block(password: str | None, source: str, url: str = DEMO_URL) -> str:
    users = demo_users()
    lines = ["", "=" * 72, f"Resettle is ready at {url}", ""]
    if password is None:
        lines.append(
            "The demo password is not stored here. Set DEMO_PASSWORD to the password you "
            "chose, or run `manage.py generate_demo --reset` to start again with a new one."
        )
    elif not password_works(users, password):
        lines.append(
            f"The demo password ({source}) does not match the demo accounts. Set "
            "DEMO_PASSWORD to the one you used, or run `manage.py generate_demo --reset`."
        )
    else:
        lines.append(f"Sign in as any of these, all with the password:  {password}")
        lines.append(f"(the password is {source})")
    lines.append("")
    lines.extend(login_table(users))
    lines += [
        "",
        "`multi` works for two organisations: sign in as them to try switching between them.",
        "Everyone and everything here is fictional.",
        "=" * 72,
        "",
    ]
    return "\n".join(lines)
