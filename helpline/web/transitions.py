"""The lifecycle actions the web's forms name, each to its service (tickets' own, or billing's
for quote decisions). ``fields``: what the form gave (``reason``, ``message``, ``assignee``,
``rating``, ``comment``; ``via`` and ``ip`` for a quote decision)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from helpline.accounts.models import User
from helpline.billing import services as billing
from helpline.billing.models import Quote
from helpline.tickets import lifecycle, services
from helpline.tickets.models import Ticket

Fields = Mapping[str, Any]


def _decision(fields: Fields) -> dict[str, Any]:
    return {
        "reason": fields.get("reason", ""),
        "via": fields.get("via", Quote.Via.API),
        "ip": fields.get("ip"),
    }


ACTIONS: dict[str, Callable[[User, Ticket, Fields], object]] = {
    "triage": lambda u, t, f: services.ticket_triage(
        actor=u, ticket=t, reason=f.get("reason", ""), assignee=f.get("assignee")
    ),
    "start": lambda u, t, f: services.ticket_start(actor=u, ticket=t, reason=f.get("reason", "")),
    "quote": lambda u, t, f: billing.quote_create(
        actor=u,
        ticket=t,
        amount_inr=f.get("amount_inr"),
        description=f.get("description"),
        valid_until=f.get("valid_until"),
        reason=f.get("reason", ""),
    ),
    "approve": lambda u, t, f: billing.quote_approve(actor=u, ticket=t, **_decision(f)),
    "decline": lambda u, t, f: billing.quote_decline(actor=u, ticket=t, **_decision(f)),
    "workaround": lambda u, t, f: services.ticket_workaround(
        actor=u, ticket=t, message=f.get("message"), reason=f.get("reason", "")
    ),
    "resolve": lambda u, t, f: services.ticket_resolve(
        actor=u, ticket=t, message=f.get("message"), reason=f.get("reason", "")
    ),
    "close": lambda u, t, f: services.ticket_close(
        actor=u,
        ticket=t,
        rating=f.get("rating"),
        comment=f.get("comment", ""),
        reason=f.get("reason", ""),
    ),
    "reopen": lambda u, t, f: services.ticket_reopen(actor=u, ticket=t, reason=f.get("reason", "")),
    "withdraw": lambda u, t, f: services.ticket_withdraw(
        actor=u, ticket=t, reason=f.get("reason", "")
    ),
}


def take(action: str, *, actor: User, ticket: Ticket, fields: Fields) -> object:
    """Take ``action`` on the ticket (422 for an action that is not a public one)."""
    service = ACTIONS.get(action)
    if service is None:
        raise lifecycle.unknown_action(action)
    return service(actor, ticket, fields)
