from django import template

from resettle.notifications.selectors import unread_notifications

register = template.Library()

# How many unread notifications a home page lists before linking to the rest.
HOME_SHOWN = 5


@register.inclusion_tag("notifications/_unread.html", takes_context=True)
def unread_notifications_panel(context: template.Context) -> dict:
    """The signed-in user's newest unread notifications, for their home page."""
    user = context["request"].user
    shown = list(unread_notifications(user=user)[: HOME_SHOWN + 1])
    return {"notifications": shown[:HOME_SHOWN], "more": len(shown) > HOME_SHOWN}
