"""On-call paging: whether an instant is outside the ticket's business hours, who is on call
then, the escalation of a C1 nobody answered after hours, and the page for a C1 asked by mail
that nobody vouches for."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings

from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import User
from helpline.mail.listeners import UnverifiedC1
from helpline.monitoring.listeners import Storm
from helpline.notifications import words
from helpline.outbox import services as outbox
from helpline.outbox.channels.email import payload as email_payload
from helpline.outbox.channels.whatsapp import payload as whatsapp_payload
from helpline.outbox.models import Priority
from helpline.outbox.services import Notification
from helpline.routing import assignment
from helpline.routing import selectors as routing
from helpline.tickets.events import EventKind

ESCALATE_AFTER = timedelta(minutes=30)
UNANSWERED = "C1 unanswered for 30 minutes after hours"
UNVERIFIED_C1 = "c1_unverified"
PLATFORM_INCIDENT = "platform_incident_page"


def after_hours(ticket: Any, at: datetime) -> bool:
    """Whether ``at`` is outside the ticket's business hours (routing decides the same)."""
    return assignment.after_hours(ticket, at)


def on_call(at: datetime) -> list[User]:
    return routing.on_call_at(at)


def _leads(ticket: Any) -> list[User]:
    """The ticket's team's lead, else every team's; each once, active ones."""
    if ticket.team_id and ticket.team.lead_id:
        leads = [ticket.team.lead]
    else:
        leads = account_selectors.team_leads()
    return list({u.pk: u for u in leads if u is not None and u.is_active}.values())


def in_platform_incident(ticket: Any) -> bool:
    """A C1 linked to a platform incident: the incident's one page stands for its own. Read
    once per ticket in hand (``words.platform_incident``): the audience, the escalation and
    the acknowledgement's words of one dispatch ask the same object."""
    return words.platform_incident(ticket) is not None


def escalations(event: Any, ticket: Any, payloads: Any) -> list[Notification]:
    """A C1 after hours: the lead hears of it 30 minutes later unless staff answered by then
    (``unless_answered``: the outbox drops the row when it falls due if they did, or if the
    ticket joined a platform incident meanwhile). ``payloads(event, user, summary)`` gives the
    (email, whatsapp) payloads for a person."""
    if event.kind != EventKind.CREATED or ticket.priority != "C1":
        return []
    if not after_hours(ticket, event.created_at) or in_platform_incident(ticket):
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


def _pageable(at: datetime) -> list[User]:
    """Whoever is on call; nobody: every team's lead; none active: the admins."""
    for people in (on_call(at), _leads_everywhere(), account_selectors.admins()):
        if people:
            return people
    return []


def _leads_everywhere() -> list[User]:
    return list({u.pk: u for u in account_selectors.team_leads() if u.is_active}.values())


def _page(
    *,
    kind: str,
    key: str,
    now: datetime,
    email: dict[str, Any],
    whatsapp: dict[str, Any],
    ticket_id: int | None = None,
) -> None:
    """One page by email and WhatsApp to whoever is on call at ``now``, else the leads, else the
    admins, else the support mailbox; ``key`` (with the channel and the person) is its
    idempotency key, so writing the same page again writes nothing."""
    people = _pageable(now)
    rows: list[tuple[str, str, dict[str, Any], int | None]] = [
        ("email", u.email, email, u.pk) for u in people
    ]
    rows += [("whatsapp", u.whatsapp, whatsapp, u.pk) for u in people if u.whatsapp]
    if not people:
        rows.append(("email", parseaddr(settings.SUPPORT_ADDRESS)[1], email, None))
    outbox.enqueue_many(
        [
            Notification(
                channel=channel,
                kind=kind,
                recipient=recipient,
                payload=payload,
                idempotency_key=f"{key}.{channel}.u{user_id or 0}",
                due_at=now,
                ticket_id=ticket_id,
                recipient_user_id=user_id,
                priority=Priority.URGENT,  # before any backlog (decision 0190)
            )
            for channel, recipient, payload, user_id in rows
        ]
    )


def unverified_c1(request: UnverifiedC1) -> bool:
    """Page for a C1 asked by mail that nobody vouches for (mail's ``listeners``; mail already
    limited it to one an hour a sender domain). Always pages: returns True."""
    where = request.ticket.reference if request.ticket is not None else "not a ticket"
    summary = f"unverified C1 request from {request.sender} ({request.why}; {where})"
    key = hashlib.sha256(request.inbound_key.encode()).hexdigest()[:40]
    subject = f"Unverified C1 request: {request.subject}"
    _page(
        kind=UNVERIFIED_C1,
        key=f"c1.unverified.{key}",
        now=request.now,
        email=email_payload.plain(subject=subject[:200], body=f"{summary}\n\n{request.subject}"),
        whatsapp=_whatsapp_page(request, summary),
        ticket_id=request.ticket.pk if request.ticket is not None else None,
    )
    return True


def platform_incident(storm: Storm) -> bool:
    """Page for a storm's platform incident (monitoring's ``listeners``, in the transaction
    that opened it, or made staff's incident a storm's). Monitoring asks once per incident
    (``PlatformIncident.paged_at``); the keys name the incident, so a repeated call writes
    nothing new. Always pages: returns True."""
    incident = storm.incident
    summary = (
        f"Platform incident: {incident.title}. {storm.stores_down} of {storm.watched} watched "
        f"stores are unreachable; their tickets and the C1 mails of the storm are linked to it."
    )
    subject = f"Platform incident: {incident.title}"[:200]
    _page(
        kind=PLATFORM_INCIDENT,
        key=f"incident{incident.pk}.page",
        now=storm.now,
        email=email_payload.plain(subject=subject, body=summary),
        whatsapp=whatsapp_payload.ticket_update(
            reference=f"INCIDENT-{incident.pk}", subject=subject, summary=summary, body=None
        ),
    )
    return True


def _whatsapp_page(request: UnverifiedC1, summary: str) -> dict[str, Any]:
    reference = request.ticket.reference if request.ticket is not None else "C1"
    return whatsapp_payload.ticket_update(
        reference=reference, subject=request.subject[:200], summary=summary, body=None
    )
