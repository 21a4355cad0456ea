"""Notifications: sending them, the list page, opening one, marking all as read, the unread
count in the header and on the home page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from resettle.notifications.models import Notification
from resettle.notifications.services import notifications_mark_all_read, notify

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


def tell(actor, subject="Something happened", **extra):
    return notify(
        recipients=[actor.user],
        organisation=actor.organisation,
        subject=subject,
        body="The details.",
        **extra,
    )[0]


# notify ----------------------------------------------------------------------------------


def test_notify_tells_each_recipient_once(cast):
    made = notify(
        recipients=[cast.admin.user, cast.admin.user, cast.manager.user],
        organisation=cast.lead_charity,
        subject="Hello",
        body="Body",
    )
    assert len(made) == 2
    assert Notification.objects.filter(recipient=cast.admin.user).count() == 1


def test_notify_emails_only_when_asked_and_only_those_with_an_address(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    cast.admin.user.email = "admin@example.org"
    cast.admin.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[cast.admin.user, cast.manager.user],
            organisation=cast.lead_charity,
            subject="Hello",
            body="In-app only detail",
        )
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[cast.admin.user, cast.manager.user],
            organisation=cast.lead_charity,
            subject="Hello",
            body="In-app only detail",
            email_body="Sign in to see more.",
        )
    assert [(m.to, m.subject, m.body) for m in mailoutbox] == [
        (["admin@example.org"], "Hello", "Sign in to see more.")
    ]


def test_each_email_goes_to_one_recipient_so_no_one_sees_who_else_was_told(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    for index, actor in enumerate([cast.admin, cast.manager]):
        actor.user.email = f"person{index}@example.org"
        actor.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[cast.admin.user, cast.manager.user],
            organisation=cast.lead_charity,
            subject="Hello",
            body="Body",
            email_body="Sign in.",
        )
    assert sorted(m.to for m in mailoutbox) == [["person0@example.org"], ["person1@example.org"]]


@pytest.mark.parametrize(
    "link", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil"]
)
def test_a_notification_may_only_link_inside_resettle(cast, link):
    with pytest.raises(ValidationError):
        tell(cast.admin, link=link)
    assert not Notification.objects.exists()


# The list page ------------------------------------------------------------------------------


def test_list_shows_only_the_users_own_notifications_newest_first(client_as, cast):
    tell(cast.admin, "First")
    tell(cast.admin, "Second")
    tell(cast.manager, "Not yours")
    response = client_as(cast.admin).get(LIST)
    assert response.status_code == 200
    assert [n.subject for n in response.context["notifications"]] == ["Second", "First"]
    assert "Not yours" not in response.text


def test_unread_notifications_are_tagged_and_bold(client_as, cast):
    tell(cast.admin, "Unread one")
    tell(cast.admin, "Read one")
    notifications_mark_all_read(user=cast.admin.user)
    tell(cast.admin, "Unread again")
    text = client_as(cast.admin).get(LIST).text
    assert text.count(">Unread</strong>") == 1
    assert text.count(">Read</strong>") == 2
    assert "govuk-!-font-weight-bold" in text


def test_list_is_paginated(client_as, cast):
    for index in range(27):
        tell(cast.admin, f"Notification {index}")
    client = client_as(cast.admin)
    assert len(client.get(LIST).context["notifications"]) == 25
    assert len(client.get(LIST, {"page": 2}).context["notifications"]) == 2


def test_list_query_count_does_not_grow_with_notifications(count_queries, client_as, cast):
    client = client_as(cast.admin)
    tell(cast.admin)

    def queries() -> int:
        with count_queries() as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(10):
        tell(cast.admin)
    assert queries() == few


def test_signed_out_visitor_is_sent_to_sign_in(client):
    assert client.get(LIST).status_code == 302
    assert client.post(reverse("notifications:mark_all_read")).status_code == 302


# Marking as read --------------------------------------------------------------------------


def test_mark_all_as_read_marks_only_the_users_own(client_as, cast):
    tell(cast.admin)
    tell(cast.admin)
    theirs = tell(cast.manager)
    response = client_as(cast.admin).post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=cast.admin.user, read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read_needs_a_post(client_as, cast):
    tell(cast.admin)
    assert client_as(cast.admin).get(reverse("notifications:mark_all_read")).status_code == 405
    assert Notification.objects.filter(read_at=None).count() == 1


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_as, cast):
    notification = tell(cast.admin, link="/reports/break-glass/")
    response = client_as(cast.admin).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/reports/break-glass/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_notification_without_a_link_returns_to_the_list(client_as, cast):
    notification = tell(cast.admin)
    response = client_as(cast.admin).get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == LIST


def test_someone_elses_notification_is_not_found_and_stays_unread(client_as, cast):
    theirs = tell(cast.manager, link="/")
    response = client_as(cast.admin).get(reverse("notifications:open", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# The header and the home page -------------------------------------------------------------


def test_header_shows_the_unread_count(client_as, cast):
    tell(cast.caseworker)
    tell(cast.caseworker)
    text = client_as(cast.caseworker).get(reverse("web:home")).text
    assert 'Notifications (2<span class="govuk-visually-hidden"> unread</span>)' in text
    notifications_mark_all_read(user=cast.caseworker.user)
    text = client_as(cast.caseworker).get(reverse("web:home")).text
    assert 'Notifications (0<span class="govuk-visually-hidden"> unread</span>)' in text


@pytest.mark.parametrize("who", ["caseworker", "manager", "admin"])
def test_home_page_lists_unread_notifications(client_as, cast, who):
    actor = getattr(cast, who)
    tell(actor, "Break-glass on a record you hold")
    text = client_as(actor).get(reverse("web:home")).text
    assert "Unread notifications" in text
    assert "Break-glass on a record you hold" in text


def test_home_page_has_no_panel_without_unread_notifications(client_as, cast):
    text = client_as(cast.caseworker).get(reverse("web:home")).text
    assert "Unread notifications" not in text
