"""An agreement states its follow-up window: how long after an organisation stops working with
someone it may still read their identity and contact details, to follow up outcomes. Set on the
agreement's form, shown on its page and kept in its history."""

import pytest

from resettle.partnerships.models import MAX_FOLLOW_UP_DAYS
from resettle.partnerships.tests.test_views import (
    agreement_post,
    detail_url,
    edit_url,
    sharing_terms,
)

pytestmark = pytest.mark.django_db

__all__ = ["sharing_terms"]  # the agreement page tests' terms, for the shared `agreement`


def test_the_owner_sets_a_follow_up_window_which_the_page_states(client_as, cast, agreement):
    client = client_as(cast.admin)
    page = client.get(detail_url(agreement)).content.decode()
    assert "None: access ends with the work" in page
    response = client.post(edit_url(agreement), agreement_post(follow_up_days="90"))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.follow_up_days == 90
    page = client.get(detail_url(agreement)).content.decode()
    assert "90 days" in page
    assert "Follow-up window (days)" in page  # the history's entry for the change


@pytest.mark.parametrize("days", ["0", str(MAX_FOLLOW_UP_DAYS + 1), "a month"])
def test_a_window_out_of_range_is_refused_by_the_field(client_as, cast, agreement, days):
    response = client_as(cast.admin).post(edit_url(agreement), agreement_post(follow_up_days=days))
    assert response.status_code in (200, 400)
    assert "follow_up_days" in response.context["form"].errors
    agreement.refresh_from_db()
    assert agreement.follow_up_days is None
