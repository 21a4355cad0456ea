import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from resettle.accounts.middleware import (
    CURRENT_MEMBERSHIPS,
    current_memberships,
    memberships_of,
)
from resettle.accounts.models import Membership, User
from resettle.core.prepared import Param, Prepared
from resettle.notifications.models import Notification
from resettle.notifications.selectors import unread_count

pytestmark = pytest.mark.django_db

# The signed-in user's current memberships, oldest first, with their organisations.
BY_USER = CURRENT_MEMBERSHIPS


def test_rows_come_back_as_the_queryset_gives_them_related_objects_joined(
    cast, django_assert_num_queries
):
    expected = list(current_memberships(cast.caseworker.user).order_by("created_at"))

    with django_assert_num_queries(1):
        found = BY_USER(user=cast.caseworker.user_id, today=date.today())
        assert [m.organisation.name for m in found] == ["New Leaf Northshire"]

    assert found == expected
    assert not found[0]._state.adding
    assert found[0]._state.db == "default"


def test_each_run_takes_its_own_values(cast):
    cast.caseworker.ended_on = date.today() + timedelta(days=1)
    cast.caseworker.save()

    assert BY_USER(user=cast.probation.user_id, today=date.today()) == [cast.probation]
    assert BY_USER(user=cast.caseworker.user_id, today=date.today()) == [cast.caseworker]
    later = date.today() + timedelta(days=2)
    assert BY_USER(user=cast.caseworker.user_id, today=later) == []


def test_values_and_counts(cast):
    ids = Prepared(
        lambda: Membership.objects.filter(user=Param("user", User._meta.pk)).values_list(
            "role", flat=True
        )
    )

    assert ids(user=cast.manager.user_id) == ["partnership_manager"]
    assert BY_USER.count(user=cast.manager.user_id, today=date.today()) == 1
    assert BY_USER.count(user=-1, today=date.today()) == 0


def test_the_values_must_be_the_ones_it_takes(cast):
    with pytest.raises(TypeError, match=r"takes \['today', 'user'\], given \['user'\]"):
        BY_USER(user=cast.caseworker.user_id)


def test_a_count_uses_the_values_it_needs_of_the_rows(cast):
    with_user = Prepared(
        lambda: Membership.objects.annotate(mine=Param("user", User._meta.pk)).filter(
            role=Param("role", Membership._meta.get_field("role"))
        )
    )

    caseworkers = Membership.objects.filter(role="caseworker").count()
    assert with_user.count(user=cast.caseworker.user_id, role="caseworker") == caseworkers
    with pytest.raises(TypeError, match="takes"):
        with_user.count(user=cast.caseworker.user_id)


def test_a_query_whose_sql_depends_on_the_values_is_refused_under_test(cast):
    people = [cast.caseworker.user_id]
    shifting = Prepared(lambda: Membership.objects.filter(user__in=list(people)))
    shifting()
    people.append(cast.probation.user_id)

    with pytest.raises(AssertionError, match="changed between builds"):
        shifting()


def test_a_query_that_can_match_nothing_is_not_run(django_assert_num_queries):
    nobody = Prepared(lambda: User.objects.none())

    with django_assert_num_queries(0):
        assert nobody() == []
        assert nobody.count() == 0


def test_a_prepared_query_cannot_prefetch():
    prefetching = Prepared(lambda: User.objects.prefetch_related("memberships"))

    with pytest.raises(ValueError, match="cannot prefetch"):
        prefetching()


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_on_its_own_connection(cast, settings):
    settings.ENVIRONMENT = "production"  # keep the compiled query, as a server does
    BY_USER(user=cast.caseworker.user_id, today=date.today())  # compiled on this thread's
    found, statements = [], []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    def run() -> None:
        try:
            with connection.execute_wrapper(count):
                found.extend(BY_USER(user=cast.caseworker.user_id, today=date.today()))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()

    assert len(statements) == 1
    assert found == [cast.caseworker]


def test_the_signed_in_user_memberships_and_unread_count_match_the_orm(cast):
    user = cast.caseworker.user
    Notification.objects.create(
        recipient=user, organisation=cast.lead_charity, subject="Referral accepted", body="-"
    )

    assert memberships_of(user) == list(current_memberships(user).order_by("created_at"))
    assert unread_count(user=user) == 1
