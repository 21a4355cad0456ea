"""The appointment lifecycle: booked, then attended, did not attend or cancelled. Rescheduling
keeps it booked. Each action, the states it starts from and who takes it; `services` carries
the actions out, and the pages and the API's action routes are made from this table."""

from resettle.access import policy
from resettle.appointments.models import Appointment, AppointmentState
from resettle.core.state_machine import StateMachine, Transition

S = AppointmentState
NOT_YOURS = (
    "Only your organisation's staff on this case (a peer mentor: on the cases they mentor) can "
    "change its appointments"
)


def _wrong_state(appointment: Appointment, transition: Transition[Appointment]) -> str:
    return (
        f"This appointment is {appointment.get_state_display().lower()}, so it cannot be "
        f"{transition.done}. Only a booked appointment can."
    )


def _staff_on_case(**row) -> Transition[Appointment]:
    return Transition(allowed=policy.can_change_appointment, refusal=NOT_YOURS, **row)


ACTIONS: StateMachine[Appointment] = StateMachine(
    entity="appointment",
    state_label=lambda appointment: appointment.get_state_display(),
    wrong_state=_wrong_state,
    transitions=[
        _staff_on_case(
            name="reschedule",
            sources=frozenset({S.BOOKED}),
            target=S.BOOKED,
            done="rescheduled",
            fields=("starts_at", "minutes", "place", "reason"),
            notifies="the worker meeting the person, when someone else moves it",
        ),
        _staff_on_case(
            name="cancel",
            sources=frozenset({S.BOOKED}),
            target=S.CANCELLED,
            done="cancelled",
            fields=("cancelled_by", "reason"),
            required={"cancelled_by": "Select who cancelled the appointment"},
            notifies="the worker meeting the person, when someone else cancels it",
            destructive=True,
        ),
        # The outcome decides the state it leads to (attended, did not attend or cancelled);
        # `target` is the usual one.
        _staff_on_case(
            name="record_outcome",
            slug="record-outcome",
            sources=frozenset({S.BOOKED}),
            target=S.ATTENDED,
            done="given an outcome",
            fields=("outcome", "cancelled_by", "note"),
            required={"outcome": "Select what happened"},
        ),
    ],
)
