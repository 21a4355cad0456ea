"""Break-glass: a designated safeguarding lead opening a restricted category of one person's
record for a stated reason and a limited time, and closing it early. Every opening is audited
with its reason and the organisations that hold the data are told."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from resettle.access import policy, selectors
from resettle.access.categories import BREAK_GLASS_CATEGORIES, Category
from resettle.access.models import BreakGlassAccess
from resettle.access.policy import can_view_break_glass_report
from resettle.access.principals import SystemPrincipal, SystemPurpose
from resettle.accounts.models import Membership, Organisation
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.core.exceptions import PermissionDenied
from resettle.notifications.services import notify
from resettle.people.models import Person

# How long a break-glass may stay open, in hours; the last is the most allowed.
BREAK_GLASS_HOURS = (1, 4, 24, 72)


def format_time(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y \\a\\t H:i")


@transaction.atomic
def break_glass_open(
    *,
    actor: Membership,
    person: Person,
    category: str,
    reason: str,
    hours: int,
    request: HttpRequest | None = None,
) -> BreakGlassAccess:
    if category not in BREAK_GLASS_CATEGORIES:
        raise ValidationError({"category": "Choose a restricted category from the list"})
    if not policy.can_break_glass(actor, person, category):
        raise PermissionDenied(
            "Only a designated safeguarding lead working with this person can break glass."
        )
    errors: dict[str, str | list[str]] = {}
    if policy.can_view_category(actor, person, category):
        errors["category"] = f"You can already see {Category(category).label.lower()}"
    valid_hours = hours in BREAK_GLASS_HOURS
    if not valid_hours:
        errors["hours"] = "Choose how long you need access for"
    opened_at = timezone.now()
    access = BreakGlassAccess(
        user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        person=person,
        category=category,
        reason=(reason or "").strip(),
        opened_at=opened_at,
    )
    if valid_hours:  # otherwise left empty, and refused below
        access.expires_at = opened_at + timedelta(hours=hours)
    try:
        access.full_clean(exclude=None if valid_hours else ["expires_at"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    access.save()
    record_event(
        actor=actor,
        action=AuditAction.BREAK_GLASS,
        object_type="break_glass",
        object_id=str(access.pk),
        person=person,
        category=category,
        reason=access.reason,
        changes={"expires_at": [None, access.expires_at.isoformat()]},
        request=request,
    )
    base_url = request.build_absolute_uri("/") if request is not None else ""
    transaction.on_commit(lambda: _tell_owners(access=access, base_url=base_url))
    return access


@transaction.atomic
def break_glass_close(
    *, actor: Membership, access: BreakGlassAccess, request: HttpRequest | None = None
) -> BreakGlassAccess:
    """The opener closes their own break-glass before it expires."""
    is_opener = access.user_id == actor.user_id and access.organisation_id == actor.organisation_id
    if not is_opener:
        raise PermissionDenied("Only the person who broke glass can close it.")
    return _close(actor=actor, access=access, request=request)


@transaction.atomic
def break_glass_end(
    *, actor: Membership, access: BreakGlassAccess, request: HttpRequest | None = None
) -> BreakGlassAccess:
    """A designated safeguarding lead ends an open break-glass of their organisation's, their
    own or a colleague's (from their home page). A colleague's opener is told."""
    if not policy.can_end_break_glass(actor, access):
        raise PermissionDenied(
            "Only a designated safeguarding lead of the organisation it was opened for can end it."
        )
    access = _close(actor=actor, access=access, request=request)
    if access.user_id != actor.user_id:
        ender = actor.user.get_full_name() or actor.user.username
        notify(
            recipients=[access.user],
            organisation=access.organisation,
            subject=f"{ender} ended your break-glass access",
            body=(
                f"{ender}, safeguarding lead at {access.organisation.name}, ended your access to "
                f"{access.get_category_display().lower()} that was open until "
                f"{format_time(access.expires_at)}."
            ),
        )
    return access


def _close(
    *, actor: Membership, access: BreakGlassAccess, request: HttpRequest | None
) -> BreakGlassAccess:
    if not access.is_open():
        raise ValidationError("This break-glass access has already ended")
    access.closed_at = timezone.now()
    access.full_clean()
    access.save(update_fields=["closed_at", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.STATE_CHANGE,
        object_type="break_glass",
        object_id=str(access.pk),
        person=access.person,
        category=access.category,
        changes={"closed_at": [None, access.closed_at.isoformat()]},
        request=request,
    )
    return access


def _tell_owners(*, access: BreakGlassAccess, base_url: str) -> None:
    """In-app notifications to each owning organisation's leads and admins, and an e-mail that
    names no one (e-mail leaves Resettle), asking them to sign in to see who and why."""
    opener = access.user.get_full_name() or access.user.username
    category = access.get_category_display()
    person = access.person
    for organisation in selectors.break_glass_organisations_to_tell(access=access):
        members = selectors.break_glass_members_to_tell(
            organisation=organisation, opener_id=access.user_id
        )
        # Each recipient is told only what they may see: the person's name and a link to
        # their record if they may open it, otherwise "a person" and the report (if theirs).
        groups: dict[tuple[bool, str], list[Membership]] = {}
        for member in members:
            if policy.can_view_person(member, person):
                key = (True, reverse("people:detail", args=[person.pk]))
            elif can_view_break_glass_report(member):
                key = (False, reverse("access:break_glass_report"))
            else:
                key = (False, "")
            groups.setdefault(key, []).append(member)
        for (named, link), group in groups.items():
            whose = f"{person.full_name}'s" if named else "a person's"
            notify(
                recipients=[member.user for member in group],
                organisation=organisation,
                subject=f"{opener} broke glass to see {whose} {category.lower()}",
                body=_body(access, opener, whose),
                link=link,
                email_body=_email_body(access, organisation, base_url),
            )


def _body(access: BreakGlassAccess, opener: str, whose: str) -> str:
    return (
        f"{opener}, safeguarding lead at {access.organisation.name}, opened {whose} "
        f"{access.get_category_display().lower()} until {format_time(access.expires_at)}.\n"
        f"Reason given: {access.reason}"
    )


def _email_body(access: BreakGlassAccess, organisation: Organisation, base_url: str) -> str:
    link = f"{base_url.rstrip('/')}{reverse('notifications:list')}"
    return (
        f"A safeguarding lead at {access.organisation.name} has used break-glass access to "
        f"see restricted information about a person {organisation.name} works with.\n\n"
        "Sign in to Resettle to see who, why and for how long"
        + (f": {link}" if base_url else ".")
        + "\n\nThis e-mail does not name the person, because e-mail is not a secure channel."
    )


def system_principal_start(*, purpose: SystemPurpose) -> SystemPrincipal:
    """Start a system run (record linkage, a scheduled report) as the system principal. Never
    from a page or a token: the run asks for it by purpose, and the start is audited."""
    purpose = SystemPurpose(purpose)
    record_event(
        actor=None,
        action=AuditAction.CREATE,
        object_type="system_principal",
        object_id=purpose.value,
        reason=purpose.label,
    )
    return SystemPrincipal(purpose.value)
