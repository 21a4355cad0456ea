"""Assessments that supersede the person's current one: each is dated on or after the one it
replaces, which is kept unchanged as history, and two never replace the same one (the database
refuses that: `supersedes` is unique)."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from resettle.core.exceptions import ApplicationError


def save_superseding(
    record: Any, current: Any | None, *, what: str, exclude: Iterable[str] = ()
) -> None:
    """Validate and save `record`, which names `current` (or None) in `supersedes`. Field errors
    are raised together as a ValidationError; someone else superseding `current` meanwhile is an
    ApplicationError naming `what` ("an assessment")."""
    errors: dict[str, list[str]] = {}
    try:
        record.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        errors = {name: list(messages) for name, messages in exc.message_dict.items()}
    if current is not None and record.assessed_on and record.assessed_on < current.assessed_on:
        errors.setdefault("assessed_on", []).append(
            "The date of the assessment must be on or after the date of the current one, "
            f"{current.assessed_on:%-d %B %Y}"
        )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise ApplicationError(
            f"Someone else recorded {what} of this person at the same time. Look at theirs, then "
            "record yours again if it is still needed."
        ) from exc
