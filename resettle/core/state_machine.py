"""One declarative table of the actions that change an entity's state.

Each entity with a lifecycle (referrals, cases; enrolments, sessions and appointments next)
declares its actions once: the states each may start from, the state it leads to, who may take it
(a policy predicate), what the actor must supply, who is told and what the audit trail records.
The entity's services check every action against the table; its pages list the actions the
table allows the actor now and its API mounts one `POST /<entities>/{id}/<action>` route per
action from it, so a new action is one row, and no copy of the rules can drift from the others.

The work each action does beyond moving the state (capacity checks, notifications, ending the
working relationship) stays in the entity's named service function (`referral_accept`), which
registers itself on its row with `@MACHINE.service("accept")`: one grep finds every action."""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from resettle.core.exceptions import ApplicationError, PermissionDenied

if TYPE_CHECKING:
    from resettle.accounts.models import Membership

Record = TypeVar("Record", bound=models.Model)
Predicate = Callable[["Membership | None", Any], bool]


@dataclass(frozen=True)
class Transition(Generic[Record]):
    """One action: from `sources` to `target`, for actors `allowed` says yes to."""

    name: str
    sources: frozenset[str]
    target: str
    # Past participle for messages: "A referral that is “Draft” cannot be accepted."
    done: str
    # The policy predicate (actor, record) deciding who may take the action.
    allowed: Predicate
    # Said to an actor `allowed` refuses; a callable is given the record.
    refusal: str | Callable[[Any], str]
    # What the actor supplies beyond the record (the service's keyword arguments).
    fields: tuple[str, ...] = ()
    # Those of `fields` that must not be blank, each with what to say when it is.
    required: Mapping[str, str] = field(default_factory=dict)
    # Who is told once it is done ("" for nobody), for the table's reader and the pages.
    notifies: str = ""
    # The audit action recorded.
    audit: str = "state_change"
    # Shown only when this also holds (a waiting list only where the service keeps one).
    offered: Callable[[Any], bool] = field(default=lambda record: True)
    # The URL segment, where it differs from the name ("waiting-list").
    slug: str = ""
    # Ends the work (closing, declining, withdrawing): its page confirms with a warning button.
    destructive: bool = False

    @property
    def path(self) -> str:
        return self.slug or self.name

    def refusal_for(self, record: Any) -> str:
        return self.refusal(record) if callable(self.refusal) else self.refusal


class StateMachine(Generic[Record]):
    """The table of one entity's actions, in the order pages offer them."""

    def __init__(
        self,
        *,
        entity: str,
        transitions: Iterable[Transition[Record]],
        state_label: Callable[[Any], str],
        wrong_state: Callable[[Any, Transition[Record]], str] | None = None,
    ) -> None:
        """`wrong_state(record, transition)` words the refusal of an action the record's state
        does not allow, where the entity says it better than the default."""
        self.entity = entity
        self._transitions = {t.name: t for t in transitions}
        self._state_label = state_label
        self._wrong_state = wrong_state
        self.services: dict[str, Callable[..., Record]] = {}

    def __getitem__(self, name: str) -> Transition[Record]:
        return self._transitions[name]

    def __iter__(self) -> Iterator[Transition[Record]]:
        return iter(self._transitions.values())

    def __contains__(self, name: object) -> bool:
        return name in self._transitions

    def service(self, name: str) -> Callable[[Callable[..., Record]], Callable[..., Record]]:
        """Register the named service function that carries out action `name`."""
        if name not in self._transitions:
            raise KeyError(f"{self.entity} has no action {name!r}")

        def register(function: Callable[..., Record]) -> Callable[..., Record]:
            self.services[name] = function
            return function

        return register

    def authorise(self, name: str, actor: "Membership | None", record: Record) -> None:
        """Refuse an actor the table does not allow this action."""
        transition = self._transitions[name]
        if not transition.allowed(actor, record):
            raise PermissionDenied(transition.refusal_for(record))

    def begin(self, name: str, actor: "Membership | None", record: Record, **supplied: Any) -> None:
        """Refuse an actor the table does not allow this action, then a required field left
        blank (all of them at once, beside their fields)."""
        self.authorise(name, actor, record)
        blank = {
            field_name: message
            for field_name, message in self._transitions[name].required.items()
            if not str(supplied.get(field_name) or "").strip()
        }
        if blank:
            raise ValidationError(blank)

    def check_state(self, name: str, state: str, record: Record) -> None:
        """Refuse an action the record's current state does not allow (the API's 422)."""
        transition = self._transitions[name]
        if state not in transition.sources:
            if self._wrong_state is not None:
                raise ApplicationError(self._wrong_state(record, transition))
            raise ApplicationError(
                f"A {self.entity} that is “{self._state_label(record)}” cannot be "
                f"{transition.done}."
            )

    def available(self, actor: "Membership | None", record: Record, state: str) -> list[str]:
        """The actions this actor may take on the record now, in table order. Each predicate
        is asked once, however many actions share it."""
        answers: dict[Predicate, bool] = {}

        def allowed(transition: Transition[Record]) -> bool:
            if transition.allowed not in answers:
                answers[transition.allowed] = transition.allowed(actor, record)
            return answers[transition.allowed]

        return [t.name for t in self if state in t.sources and t.offered(record) and allowed(t)]

    def run(self, name: str, **arguments: Any) -> Record:
        """Carry out action `name` through its registered service."""
        return self.services[name](**arguments)
