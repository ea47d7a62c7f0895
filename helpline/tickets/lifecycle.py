"""The ticket lifecycle: docs/policy.md's table, as one explicit table.

Each action names the states it leaves, the state it reaches (None: the status does not change)
and who may take it. ``check`` decides 403 (the caller's role may never take this action) and
409 (the ticket's state does not allow it now, naming the actions the caller may take now).
"""

from __future__ import annotations

from dataclasses import dataclass

from helpline.core.errors import Forbidden, InvalidInput, TransitionRefused
from helpline.tickets.models import OPEN_STATUSES, Status

STAFF = "staff"
MERCHANT = "merchant"
SYSTEM = "system"

OPEN = frozenset(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None
    actors: frozenset[str]
    c1_only: bool = False
    public: bool = True  # offered through POST …/transitions (else reached another way)


def _t(
    sources: set[str] | frozenset[str], target: str | None, *actors: str, **kw: bool
) -> Transition:
    return Transition(frozenset(sources), target, frozenset(actors), **kw)


TRANSITIONS: dict[str, Transition] = {
    "triage": _t({Status.NEW}, Status.TRIAGED, STAFF),
    "start": _t({Status.NEW, Status.TRIAGED}, Status.IN_PROGRESS, STAFF),
    # Reached by a public staff reply marked as a question.
    "ask": _t(
        {Status.TRIAGED, Status.IN_PROGRESS}, Status.WAITING_ON_MERCHANT, STAFF, public=False
    ),
    # Reached by any merchant message.
    "merchant_reply": _t({Status.WAITING_ON_MERCHANT}, Status.IN_PROGRESS, MERCHANT, public=False),
    "quote": _t({Status.TRIAGED, Status.IN_PROGRESS}, Status.AWAITING_APPROVAL, STAFF),
    "approve": _t({Status.AWAITING_APPROVAL}, Status.IN_PROGRESS, MERCHANT),
    "decline": _t({Status.AWAITING_APPROVAL}, Status.TRIAGED, MERCHANT),
    "expire": _t({Status.AWAITING_APPROVAL}, Status.TRIAGED, SYSTEM, public=False),
    "workaround": _t(OPEN, None, STAFF, c1_only=True),
    "resolve": _t(OPEN, Status.RESOLVED, STAFF),
    "close": _t({Status.RESOLVED}, Status.CLOSED, MERCHANT, SYSTEM),
    "reopen": _t({Status.RESOLVED}, Status.IN_PROGRESS, MERCHANT),
    "withdraw": _t(OPEN, Status.CLOSED, MERCHANT),
}
PUBLIC_ACTIONS = sorted(name for name, t in TRANSITIONS.items() if t.public)


def allowed_actions(capacity: str | None, status: str, priority: str) -> list[str]:
    """The public actions ``capacity`` may take on a ticket in ``status`` now."""
    return [
        name
        for name in PUBLIC_ACTIONS
        if capacity in TRANSITIONS[name].actors
        and status in TRANSITIONS[name].sources
        and (not TRANSITIONS[name].c1_only or priority == "C1")
    ]


def unknown_action(action: str) -> InvalidInput:
    """The error for an action that is not one of the public actions (422)."""
    return InvalidInput(
        f"unknown action {action!r}; actions: {', '.join(PUBLIC_ACTIONS)}", code="unknown_action"
    )


def check(action: str, *, capacity: str, status: str, priority: str) -> Transition:
    """The transition, or the error: 422 unknown, 403 never for this role, 409 not now."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise unknown_action(action)
    if capacity not in transition.actors:
        raise Forbidden(
            f"your role may not {action.replace('_', ' ')} a ticket", code="action_forbidden"
        )
    if status not in transition.sources or (transition.c1_only and priority != "C1"):
        allowed = allowed_actions(capacity, status, priority)
        why = (
            f"{action} is only for C1 tickets (this one is {priority})"
            if status in transition.sources
            else f"cannot {action.replace('_', ' ')} a ticket that is {status.replace('_', ' ')}"
        )
        raise TransitionRefused(
            f"{why}; allowed now: {', '.join(allowed) if allowed else 'none'}", allowed=allowed
        )
    return transition
