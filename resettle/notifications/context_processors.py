from django.http import HttpRequest

from resettle.notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A callable, which templates call only when they show it, so fragments run no query.
    return {"unread_notification_count": lambda: unread_count(user=user)}
