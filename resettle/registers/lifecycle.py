"""The enrolment lifecycle: enrolled, then completed (confirmed by the coordinator, with the
date of any award) or withdrawn. `services` carries the actions out; the pages and the API's
action routes are made from this table."""

from resettle.access import policy
from resettle.core.state_machine import StateMachine, Transition
from resettle.registers.models import Enrolment, EnrolmentState

S = EnrolmentState

ACTIONS: StateMachine[Enrolment] = StateMachine(
    entity="enrolment",
    state_label=lambda enrolment: enrolment.get_state_display(),
    transitions=[
        Transition(
            name="complete",
            sources=frozenset({S.ENROLLED}),
            target=S.COMPLETED,
            done="completed",
            allowed=policy.can_confirm_completion,
            refusal="Only the delivering organisation's coordinator can confirm completion",
            fields=("completed_on", "award_achieved_on"),
        ),
        Transition(
            name="withdraw",
            sources=frozenset({S.ENROLLED}),
            target=S.WITHDRAWN,
            done="withdrawn",
            allowed=policy.can_manage_enrolment,
            refusal="Only the delivering organisation can withdraw an enrolment",
            fields=("reason",),
            required={"reason": "Enter why they are leaving"},
            destructive=True,
        ),
    ],
)
