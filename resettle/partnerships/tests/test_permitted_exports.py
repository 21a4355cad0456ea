"""An agreement may permit files that leave the partnership: the Justice Data Lab cohort file,
and a pseudonymised extract for the evaluator it names. Set on its form, shown on its page."""

import pytest
from django.core.exceptions import ValidationError

from resettle.partnerships.models import PermittedExport
from resettle.partnerships.tests.test_views import (
    agreement_post,
    detail_url,
    edit_url,
    sharing_terms,
)

pytestmark = pytest.mark.django_db

__all__ = ["sharing_terms"]  # the agreement page tests' terms, for the shared `agreement`


def test_the_owner_permits_the_files_and_names_the_evaluator(client_as, cast, agreement):
    client = client_as(cast.admin)
    response = client.post(
        edit_url(agreement),
        agreement_post(
            permitted_exports=["justice_data_lab", "evaluator_extract"],
            evaluator="Northshire University",
        ),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.permitted_exports == ["justice_data_lab", "evaluator_extract"]
    page = client.get(detail_url(agreement)).content.decode()
    assert "Justice Data Lab cohort file" in page
    assert "Pseudonymised extract for Northshire University" in page


def test_an_extract_needs_a_named_evaluator(client_as, cast, agreement):
    response = client_as(cast.admin).post(
        edit_url(agreement), agreement_post(permitted_exports=["evaluator_extract"])
    )
    assert "evaluator" in response.context["form"].errors
    agreement.refresh_from_db()
    assert agreement.permitted_exports == []


@pytest.mark.parametrize(
    ("exports", "evaluator", "field"),
    [
        (["everything"], "", "permitted_exports"),
        ([PermittedExport.JUSTICE_DATA_LAB], "Someone", "evaluator"),
    ],
)
def test_the_model_refuses_unknown_files_and_a_stray_evaluator(
    agreement, exports, evaluator, field
):
    agreement.permitted_exports = exports
    agreement.evaluator = evaluator
    with pytest.raises(ValidationError) as raised:
        agreement.full_clean(exclude=["created_by"])
    assert field in raised.value.message_dict
