"""Telling people things: in-app notifications, and an e-mail when the sender asks for one.

E-mail goes through Django's mail backend (the console in development, SMTP in production;
`EMAIL_BACKEND`), sent by the task worker so a slow mail server never holds up a page. A
GOV.UK Notify backend can replace it later without changing any caller.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from resettle.accounts.models import Organisation, User
from resettle.notifications.models import Notification
from resettle.notifications.tasks import send_notification_emails


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    organisation: Organisation,
    subject: str,
    body: str,
    link: str = "",
    email_body: str = "",
) -> list[Notification]:
    """One in-app notification per recipient (each user once), telling them as `organisation`.

    With `email_body`, every recipient who has an e-mail address is also e-mailed once the
    transaction commits. E-mail leaves Resettle's control, so callers keep people's names and
    sensitive details out of `email_body` and ask the reader to sign in instead."""
    unique = list({user.pk: user for user in recipients}.values())
    notifications = [
        Notification(
            recipient=user, organisation=organisation, subject=subject, body=body, link=link
        )
        for user in unique
    ]
    for notification in notifications:
        notification.full_clean()
    Notification.objects.bulk_create(notifications)
    addresses = [user.email for user in unique if user.email]
    if email_body and addresses:
        transaction.on_commit(
            lambda: send_notification_emails.enqueue(
                addresses=addresses, subject=subject, body=email_body
            )
        )
    return notifications


def notification_mark_read(*, user: User, notification: Notification) -> None:
    """Marks one of the user's own notifications as read (the first time only)."""
    if notification.recipient_id != user.pk or notification.read_at is not None:
        return
    notification.read_at = timezone.now()
    notification.save(update_fields=["read_at", "updated_at"])


def notifications_mark_all_read(*, user: User) -> int:
    """Marks every unread notification of the user as read; returns how many there were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )
