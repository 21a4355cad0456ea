"""Small display helpers for the referral pages."""

from datetime import timedelta

from django import template

register = template.Library()

STATE_TAGS = {
    "draft": "govuk-tag--grey",
    "submitted": "govuk-tag--blue",
    "accepted": "govuk-tag--green",
    "declined": "govuk-tag--red",
    "waiting_list": "govuk-tag--yellow",
    "in_progress": "govuk-tag--light-blue",
    "completed": "govuk-tag--teal",
    "withdrawn": "govuk-tag--grey",
    "closed": "govuk-tag--orange",
}


@register.filter
def state_tag_class(state: str) -> str:
    return STATE_TAGS.get(state, "govuk-tag--grey")


@register.filter
def duration(value: timedelta | None) -> str:
    """A length of time in words: "3 days 4 hours", "5 hours", "less than an hour"."""
    if value is None:
        return ""
    hours = int(value.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts) or "less than an hour"
