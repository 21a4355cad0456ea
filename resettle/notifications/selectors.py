from django.db.models import QuerySet
from django.http import Http404

from resettle.accounts.models import User
from resettle.core.prepared import Param, Prepared
from resettle.notifications.models import Notification


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first, whichever organisation they came through."""
    return Notification.objects.filter(recipient=user).select_related("organisation")


def unread_notifications(*, user: User) -> QuerySet[Notification]:
    return notification_list(user=user).filter(read_at__isnull=True)


# Counted for the header of every page: prepared once (resettle/core/prepared.py).
UNREAD = Prepared(
    lambda: Notification.objects.filter(
        recipient=Param("user", User._meta.pk), read_at__isnull=True
    )
)


def unread_count(*, user: User) -> int:
    return UNREAD.count(user=user.pk)


def get_notification_for_user(*, user: User, notification_id) -> Notification:
    """The user's own notification, or the same 404 whether it does not exist or is another's."""
    notification = notification_list(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification")
    return notification
