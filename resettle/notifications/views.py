"""A user's notifications: the list, opening one, and marking them all as read."""

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from resettle.core.http import AuthenticatedRequest
from resettle.notifications import selectors, services
from resettle.web.tables import page_of

PAGE_SIZE = 25


@require_GET
def notification_list_view(request: AuthenticatedRequest) -> HttpResponse:
    notifications = selectors.notification_list(user=request.user)
    page = page_of(request, notifications, PAGE_SIZE)
    return render(
        request,
        "notifications/list.html",
        {
            "page_obj": page,
            "notifications": page.object_list,
            "unread": selectors.unread_count(user=request.user),
        },
    )


@require_GET
def notification_open_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """Marks the notification read and goes to what it is about (or back to the list)."""
    notification = selectors.get_notification_for_user(user=request.user, notification_id=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    # The link was checked to be a path on this site when the notification was made.
    return redirect(notification.link or "notifications:list")


@require_POST
def notification_mark_all_read_view(request: AuthenticatedRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read")
    return redirect("notifications:list")
