"""On-call paging: whether an instant is outside the ticket's business hours, who is on call
then, and the escalation of a C1 nobody answered after hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import User
from helpline.notifications import selectors
from helpline.outbox.services import Notification
from helpline.sla import business_time as sla_clock
from helpline.sla import selectors as sla_selectors
from helpline.sla.defaults import BUSINESS
from helpline.tickets.events import EventKind

ESCALATE_AFTER = timedelta(minutes=30)
UNANSWERED = "C1 unanswered for 30 minutes after hours"


def after_hours(ticket: Any, at: datetime) -> bool:
    policy = sla_selectors.policy_version(ticket.policy_version_id)
    return not sla_clock.is_business_time(sla_selectors.business_calendar(policy, BUSINESS, at), at)


def on_call(at: datetime) -> list[User]:
    return selectors.on_call_at(at)


def _leads(ticket: Any) -> list[User]:
    """The ticket's team's lead, else every team's; each once, active ones."""
    if ticket.team_id and ticket.team.lead_id:
        leads = [ticket.team.lead]
    else:
        leads = account_selectors.team_leads()
    return list({u.pk: u for u in leads if u is not None and u.is_active}.values())


def escalations(event: Any, ticket: Any, payloads: Any) -> list[Notification]:
    """A C1 after hours: the lead hears of it 30 minutes later unless staff answered by then
    (``unless_answered``: the outbox drops the row when it falls due if they did).
    ``payloads(event, user, summary)`` gives the (email, whatsapp) payloads for a person."""
    if event.kind != EventKind.CREATED or ticket.priority != "C1":
        return []
    if not after_hours(ticket, event.created_at):
        return []
    due = event.created_at + ESCALATE_AFTER
    out: list[Notification] = []
    for lead in _leads(ticket):
        email, whatsapp = payloads(event, lead, UNANSWERED)
        addresses = [("email", lead.email, email)]
        if lead.whatsapp:
            addresses.append(("whatsapp", lead.whatsapp, whatsapp))
        out.extend(
            Notification(
                channel=channel,
                kind="c1_unanswered",
                recipient=recipient,
                payload={**payload, "unless_answered": ticket.pk},
                idempotency_key=f"ev{event.pk}.escalate.{channel}.u{lead.pk}",
                due_at=due,
                ticket_id=ticket.pk,
                recipient_user_id=lead.pk,
            )
            for channel, recipient, payload in addresses
        )
    return out
