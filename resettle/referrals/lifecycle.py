"""The referral lifecycle (DESIGN §6): every action, the states it starts from, the state it
leads to, who takes it, what they supply and who is told. `services` carries the actions out,
and the pages and the API's action routes are made from this table."""

from resettle.access import policy
from resettle.core.state_machine import StateMachine, Transition
from resettle.referrals.models import Referral, ReferralState

S = ReferralState
SENDER_REFUSAL = "Only the referring organisation can do this"


def _receiver_refusal(referral: Referral) -> str:
    return f"Only {referral.service.organisation.name} can do this"


def _sender(**row) -> Transition[Referral]:
    return Transition(allowed=policy.can_edit_referral, refusal=SENDER_REFUSAL, **row)


def _receiver(**row) -> Transition[Referral]:
    return Transition(
        allowed=policy.can_decide_referral,
        refusal=_receiver_refusal,
        notifies="referrer",
        **row,
    )


ACTIONS: StateMachine[Referral] = StateMachine(
    entity="referral",
    state_label=lambda referral: referral.get_state_display(),
    transitions=[
        _sender(
            name="submit",
            sources=frozenset({S.DRAFT}),
            target=S.SUBMITTED,
            done="submitted",
            notifies="receiver",
        ),
        _receiver(
            name="accept",
            sources=frozenset({S.SUBMITTED, S.WAITING_LIST}),
            target=S.ACCEPTED,
            done="accepted",
            fields=("note",),
        ),
        _receiver(
            name="decline",
            sources=frozenset({S.SUBMITTED, S.WAITING_LIST}),
            target=S.DECLINED,
            done="declined",
            fields=("reason", "detail"),
            destructive=True,
        ),
        _receiver(
            name="waiting_list",
            slug="waiting-list",
            sources=frozenset({S.SUBMITTED}),
            target=S.WAITING_LIST,
            done="put on the waiting list",
            fields=("note",),
            offered=lambda referral: referral.service.has_waiting_list,
        ),
        _receiver(
            name="start",
            sources=frozenset({S.ACCEPTED}),
            target=S.IN_PROGRESS,
            done="started",
            fields=("note",),
        ),
        _receiver(
            name="complete",
            sources=frozenset({S.IN_PROGRESS}),
            target=S.COMPLETED,
            done="completed",
            fields=("outcome",),
            required={"outcome": "Enter what the support achieved"},
        ),
        _receiver(
            name="close",
            sources=frozenset({S.WAITING_LIST, S.ACCEPTED, S.IN_PROGRESS}),
            target=S.CLOSED,
            done="closed",
            fields=("reason",),
            required={"reason": "Enter what was tried to engage the person"},
            destructive=True,
        ),
        _sender(
            name="withdraw",
            sources=frozenset({S.DRAFT, S.SUBMITTED, S.WAITING_LIST, S.ACCEPTED, S.IN_PROGRESS}),
            target=S.WITHDRAWN,
            done="withdrawn",
            fields=("reason",),
            required={"reason": "Enter why you are withdrawing the referral"},
            destructive=True,
            notifies="receiver",
        ),
    ],
)
