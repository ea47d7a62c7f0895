"""What engineering does to a merchant ticket: escalation is not a state but a link to
developer tickets ("with engineering", docs/policy.md). These services write the ticket's side: an
internal event when it is escalated or when engineering is done, and — when an engineer's ETA
changes — the due date moved (an event with the reason) and a note the merchant sees.

The engineering services call them inside their own transaction; each locks the ticket like
every ticket service, through the tickets' change API (``TicketChange``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import transaction

from helpline.accounts.models import User
from helpline.core import display
from helpline.core.errors import Forbidden
from helpline.tickets import events as kinds
from helpline.tickets.events import EventKind, EventSpec
from helpline.tickets.models import Channel, MessageKind, Status, Ticket
from helpline.tickets.services.change import TicketChange, lock_ticket
from helpline.tickets.services.messages import add_message

# The internal events engineering writes on a merchant ticket, by kind.
ENGINEERING_EVENTS: dict[EventKind, Callable[..., EventSpec]] = {
    EventKind.ESCALATED: kinds.escalated,
    EventKind.ENGINEERING_DONE: kinds.engineering_done,
    EventKind.ENGINEERING_REOPENED: kinds.engineering_reopened,
}
# The due date is the commitment made on triage: before triage there is none to move, and a
# resolved or closed ticket keeps the one it had.
ETA_MOVES_DUE = (
    Status.TRIAGED,
    Status.IN_PROGRESS,
    Status.WAITING_ON_MERCHANT,
    Status.AWAITING_APPROVAL,
)


def _change_for(actor: User | None, ticket: Ticket, now: datetime) -> TicketChange:
    """The engineering services decided that ``actor`` may change the developer ticket (an
    account manager finishing one also linked to another store's ticket still tells that
    ticket); the actor is recorded on the events. Merchants never reach here."""
    ticket = lock_ticket(ticket)
    if actor is not None and actor.role == "merchant":
        raise Forbidden("merchants do not change engineering links", code="action_forbidden")
    change = TicketChange(ticket, actor, now)
    change.record_passed()
    return change


def ticket_engineering_event(
    *,
    actor: User | None,
    ticket: Ticket,
    kind: EventKind,
    references: Sequence[str],
    now: datetime,
) -> None:
    """An internal event on the ticket: escalated to, or finished by, developer tickets."""
    if kind not in ENGINEERING_EVENTS:
        raise ValueError(f"unknown engineering event {kind!r}")
    with transaction.atomic():
        change = _change_for(actor, ticket, now)
        change.add(ENGINEERING_EVENTS[kind](references=references))
        change.save(touch_ticket=kind != EventKind.ESCALATED)


def ticket_engineering_eta(
    *, actor: User | None, ticket: Ticket, eta: datetime, reference: str, now: datetime
) -> bool:
    """Engineering's ETA for ``reference`` becomes the ticket's due date (docs/policy.md: "an
    engineering ETA moves it, with an event"), with a public note saying so. Returns False when
    the ticket has no due date to move (not triaged yet, resolved, closed): then only an internal
    event records the ETA."""
    with transaction.atomic():
        change = _change_for(actor, ticket, now)
        ticket = change.ticket
        if ticket.status not in ETA_MOVES_DUE:
            change.add(kinds.engineering_eta(reference=reference, eta=eta))
            change.save(touch_ticket=False)
            return False
        if ticket.due_at == eta:
            return False
        change.set_due(eta, f"engineering's estimate for {reference}")
        body = (
            "Our engineering team is working on this. Their estimate moves the due date to "
            f"{display.when(eta, ticket.merchant.time_zone)}."
        )
        add_message(
            change, body=body, kind=MessageKind.SYSTEM, from_staff=True, channel=Channel.STAFF
        )
        change.save()
        return True
