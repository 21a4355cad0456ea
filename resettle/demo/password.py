"""The one password every demo sign-in shares (DESIGN §7): DEMO_PASSWORD when set, otherwise one
generated on first run and kept in a git-ignored file readable only by its owner."""

import os
import secrets
from pathlib import Path

from django.conf import settings

# Letters and digits that cannot be misread for one another when copied from a terminal.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def password_file() -> Path:
    return Path(getattr(settings, "DEMO_PASSWORD_FILE", settings.BASE_DIR / ".demo-password"))


def _new_password() -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3))


def demo_password(*, create: bool) -> str | None:
    """The demo password, or None when none is set or stored and `create` is false."""
    from_env = os.environ.get("DEMO_PASSWORD", "")
    if from_env:
        return from_env
    path = password_file()
    if path.exists():
        return path.read_text(encoding="utf-8").strip() or None
    if not create:
        return None
    password = _new_password()
    # O_EXCL with mode 0600: never readable by others, not even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    return password


def describe_source() -> str:
    if os.environ.get("DEMO_PASSWORD"):
        return "from DEMO_PASSWORD"
    return f"stored in {password_file().name}"
