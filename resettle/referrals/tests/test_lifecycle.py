"""The referral lifecycle table is the one source of the actions: every row has its page and its
API route, and a referral's page offers exactly the actions the table allows the actor now."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from resettle.api.api import api
from resettle.referrals import services
from resettle.referrals.lifecycle import ACTIONS
from resettle.referrals.views import PAGES

pytestmark = pytest.mark.django_db

NOBODY = "00000000-0000-0000-0000-000000000000"


def test_every_action_has_its_service_its_page_and_its_api_route():
    names = {t.name for t in ACTIONS}
    assert set(ACTIONS.services) == names
    assert set(PAGES) == names
    paths = api.get_openapi_schema()["paths"]
    for transition in ACTIONS:
        assert "post" in paths[f"/api/v1/referrals/{{referral_id}}/{transition.path}"]
        assert reverse(
            f"referrals:{transition.name}", args=["00000000-0000-0000-0000-000000000000"]
        )


def _buttons(actor, referral) -> list[str]:
    client = Client()
    client.force_login(actor.user)
    body = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    return [t.name for t in ACTIONS if reverse(f"referrals:{t.name}", args=[referral.pk]) in body]


def test_each_side_is_offered_its_own_actions_for_the_state(cast, submitted):
    assert ACTIONS.available(cast.probation, submitted, submitted.state) == ["withdraw"]
    assert _buttons(cast.probation, submitted) == ["withdraw"]
    assert _buttons(cast.coordinator, submitted) == ["accept", "decline", "waiting_list"]
    submitted.service.has_waiting_list = False
    submitted.service.save()
    assert _buttons(cast.coordinator, submitted) == ["accept", "decline"]
    accepted = services.referral_accept(actor=cast.coordinator, referral=submitted)
    assert _buttons(cast.coordinator, accepted) == ["start", "close"]
    assert ACTIONS.available(cast.mentor, accepted, accepted.state) == []


@pytest.mark.parametrize(
    ("action", "blank"),
    [("withdraw", {"reason": "  "}), ("close", {"reason": ""}), ("complete", {"outcome": " "})],
)
def test_an_action_needing_words_refuses_them_blank_and_changes_nothing(
    cast, submitted, action, blank
):
    referral = submitted
    if action != "withdraw":
        referral = services.referral_accept(actor=cast.coordinator, referral=referral)
    if action == "complete":
        referral = services.referral_start(actor=cast.coordinator, referral=referral)
    actor = cast.probation if action == "withdraw" else cast.coordinator
    state, version = referral.state, referral.version
    [(field, message)] = ACTIONS[action].required.items()
    with pytest.raises(ValidationError) as refused:
        ACTIONS.run(action, actor=actor, referral=referral, **blank)
    assert refused.value.message_dict == {field: [message]}
    referral.refresh_from_db()
    assert (referral.state, referral.version) == (state, version)
