"""The case lifecycle: open, paused (a recall pauses it, a release resumes it), closed and
reopened on the same record. Each action, the states it starts from, the state it leads to, who
takes it and what they supply; `services` carries the actions out, and the pages and the API's
action routes are made from this table."""

from resettle.access import policy
from resettle.cases.models import Case, CaseState
from resettle.core.state_machine import StateMachine, Transition

S = CaseState
CLOSED_MESSAGE = "This case is closed. Reopen it before changing it."
MANAGERS_ONLY = "Only your organisation's staff on this case can change it"


def _wrong_state(case: Case, transition: Transition[Case]) -> str:
    if case.state == S.CLOSED:
        return CLOSED_MESSAGE
    sources = " or ".join(sorted(S(state).label.lower() for state in transition.sources))
    article = "an" if sources[0] in "aeiou" else "a"
    return (
        f"Only {article} {sources} case can be {transition.done}. "
        f"This case is {case.get_state_display().lower()}."
    )


def _manager(**row) -> Transition[Case]:
    return Transition(allowed=policy.can_manage_case, refusal=MANAGERS_ONLY, **row)


ACTIONS: StateMachine[Case] = StateMachine(
    entity="case",
    state_label=lambda case: case.get_state_display(),
    wrong_state=_wrong_state,
    transitions=[
        _manager(
            name="pause",
            sources=frozenset({S.OPEN}),
            target=S.PAUSED,
            done="paused",
            fields=("on", "reason"),
        ),
        _manager(
            name="resume",
            sources=frozenset({S.PAUSED}),
            target=S.OPEN,
            done="resumed",
            fields=("on",),
        ),
        _manager(
            name="close",
            sources=frozenset({S.OPEN, S.PAUSED}),
            target=S.CLOSED,
            done="closed",
            fields=("closed_on", "close_reason", "note"),
            destructive=True,
        ),
        _manager(
            name="reopen",
            sources=frozenset({S.CLOSED}),
            target=S.OPEN,
            done="reopened",
            fields=("on", "note"),
        ),
    ],
)
