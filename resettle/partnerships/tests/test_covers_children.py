"""An agreement says whether it shares children's records too: without it, a child's records
beyond their name stay with family services. Set on the agreement's form, shown on its page and
kept in its history."""

import pytest

from resettle.partnerships.tests.test_views import (
    agreement_post,
    detail_url,
    edit_url,
    sharing_terms,
)

pytestmark = pytest.mark.django_db

__all__ = ["sharing_terms"]  # the agreement page tests' terms, for the shared `agreement`


def test_the_owner_says_the_agreement_covers_children_and_the_page_states_it(
    client_as, cast, agreement
):
    client = client_as(cast.admin)
    assert "children's records stay with family services" in (
        client.get(detail_url(agreement)).content.decode()
    )

    response = client.post(edit_url(agreement), agreement_post(covers_children="on"))

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.covers_children
    page = client.get(detail_url(agreement)).content.decode()
    assert "Shared too: these categories of under-18s" in page
    assert "Children&#x27;s records too" in page  # the history's entry for the change


def test_leaving_it_unticked_keeps_childrens_records_with_family_services(
    client_as, cast, agreement
):
    agreement.covers_children = True
    agreement.save()

    client_as(cast.admin).post(edit_url(agreement), agreement_post())

    agreement.refresh_from_db()
    assert not agreement.covers_children
