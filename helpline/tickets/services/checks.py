"""What every ticket service checks before it writes: who may (404, then 403, then 409 — see
``tickets.access`` and ``lifecycle``), and that the text and codes it is given are valid."""

from __future__ import annotations

from helpline.accounts.models import User
from helpline.core.errors import InvalidInput, NotFound, TransitionRefused
from helpline.core.validation import has_control
from helpline.sla import selectors as sla_selectors
from helpline.sla.policy import Policy
from helpline.tickets import access
from helpline.tickets.models import Status, Ticket

SUBJECT_MAX = 200
BODY_MAX = 100_000


def capacity_or_404(actor: User | None, ticket: Ticket) -> str:
    cap = access.capacity(actor, ticket)
    if cap is None:
        raise NotFound("ticket not found")
    return cap


def refuse_closed(ticket: Ticket, what: str) -> None:
    if ticket.status == Status.CLOSED:
        raise TransitionRefused(
            f"ticket {ticket.reference} is closed; {what} is refused", allowed=[]
        )


def policy_for(ticket: Ticket) -> Policy:
    return sla_selectors.policy_version(ticket.policy_version_id)


def valid_priority(policy: Policy, priority: str) -> str:
    if priority not in policy.priorities:
        raise InvalidInput(
            f"unknown priority {priority!r}; one of: {', '.join(policy.priority_codes())}",
            code="unknown_priority",
        )
    return priority


def valid_issue_type(policy: Policy, slug: str) -> str:
    spec = policy.issue_types.get(slug)
    if spec is None or not spec.active:
        raise InvalidInput(f"unknown issue type {slug!r}", code="unknown_issue_type")
    return slug


def text(value: str | None, name: str, limit: int) -> str:
    value = (value or "").strip()
    if has_control(value):
        raise InvalidInput(
            f"{name} must not contain control characters (NUL, …)", code="invalid_text"
        )
    if not value:
        raise InvalidInput(f"{name} must not be empty", code=f"{name}_required")
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters", code=f"{name}_too_long")
    return value
