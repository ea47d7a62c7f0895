"""The escalation chain's audience: whom a warning, a breach or a page reaches.

The chain is policy data (``sla``: per priority, steps of a percent of a pending target and whom
to tell; 100 is the breach). This module turns a step's names into people, active ones only:

- ``assignee_or_lead``: the assignee, or the team lead when nobody is assigned;
- ``assignee``, ``lead`` (the ticket's team's), ``admins`` (active administrators);
- ``on_call``: whoever the rota names at that instant.

A notice that would reach nobody goes one level up — assignee and on-call, then the team lead,
then the admins — and with no active admin at all it goes to the support mailbox
(``SUPPORT_ADDRESS``): never dropped (``unheard``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from django.conf import settings

from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import User
from helpline.notifications import paging
from helpline.outbox.channels.email import payload as email_payload
from helpline.outbox.services import Notification
from helpline.sla import selectors as sla_selectors
from helpline.sla.defaults import BREACH_PERCENT
from helpline.tickets.events import EventKind

# The levels a notice climbs when its own names reach nobody.
LEVELS = (("assignee", "assignee_or_lead", "on_call"), ("lead",), ("admins",))
Heard = list[tuple[User, str]]


def _assignee(ticket: Any) -> User | None:
    return ticket.assignee if ticket.assignee_id else None


def _lead(ticket: Any) -> User | None:
    return ticket.team.lead if ticket.team_id and ticket.team.lead_id else None


def _named(name: str, ticket: Any, at: datetime) -> list[User]:
    assignee = _assignee(ticket)
    if name == "assignee_or_lead":
        return (
            [assignee]
            if assignee is not None and assignee.is_active
            else _named("lead", ticket, at)
        )
    if name == "assignee":
        return [assignee] if assignee is not None else []
    if name == "lead":
        lead = _lead(ticket)
        return [lead] if lead is not None else []
    if name == "admins":
        return account_selectors.admins()
    if name == "on_call":
        return paging.on_call(at)
    return []


def _level(name: str) -> int:
    return next(i for i, names in enumerate(LEVELS) if name in names)


def people(names: Iterable[str], ticket: Any, at: datetime) -> list[User]:
    """The active people ``names`` reach, each once; nobody → one level up, to the admins."""
    names = list(names)
    found = [u for name in names for u in _named(name, ticket, at) if u.is_active]
    level = max((_level(n) for n in names), default=0)
    while not found and level + 1 < len(LEVELS):
        level += 1
        found = [u for name in LEVELS[level] for u in _named(name, ticket, at) if u.is_active]
    return list({u.pk: u for u in found}.values())


def step_names(event: Any, ticket: Any) -> tuple[str, ...]:
    """Whom the chain names for a warning or a breach (the ticket's policy version, the
    priority the clock ran under); a step missing from the chain names the admins."""
    after = event.after or {}
    policy = sla_selectors.policy_version(ticket.policy_version_id)
    priority = str(after.get("priority") or ticket.priority)
    percent = BREACH_PERCENT if event.kind == EventKind.SLA_BREACHED else after.get("percent", 75)
    step = policy.step_at(priority, int(percent))
    return step.notify if step is not None else ("admins",)


def chain(event: Any, ticket: Any) -> Heard:
    """The people a warning or breach reaches, with why ("warning", "breach")."""
    why = "breach" if event.kind == EventKind.SLA_BREACHED else "warning"
    return [(u, why) for u in people(step_names(event, ticket), ticket, event.created_at)]


def unheard(event: Any, ticket: Any, heard: Sequence[int], summary: str) -> list[Notification]:
    """A warning, breach or page that reached no active person (no active admin either): the
    support mailbox gets it, so it is never dropped."""
    if heard:
        return []
    return [
        Notification(
            channel="email",
            kind=str(event.kind),
            recipient=parseaddr(settings.SUPPORT_ADDRESS)[1],
            payload=email_payload.ticket_update(
                reference=ticket.reference,
                subject=ticket.subject,
                summary=f"{summary} (nobody else could be told: no active admin)",
                reason=event.reason,
                body=None,
                extra=[],
                message_id=email_payload.event_message_id(ticket.pk, event.pk),
            ),
            idempotency_key=f"ev{event.pk}.unheard",
            due_at=event.created_at,
            ticket_id=ticket.pk,
        )
    ]
