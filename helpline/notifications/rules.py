"""Who hears what, as one table, and the words they get.

- Merchant (the ticket's requester, a merchant user): acknowledgement, staff replies, status,
  priority and due-date changes, quotes, workaround and resolution — public events only, never
  their own messages.
- Assignee: assignment, merchant replies.
- Warnings and breaches: the escalation chain (policy data, per priority; ``escalation``).
  Default: at 50 % of a pending target the assignee (unassigned: the team lead), at 75 % the
  assignee and the team lead, at the breach the team lead and the admins (a C1: the on-call
  too). A notice that would reach nobody goes one level up, ending with the admins (with no
  active admin, the support mailbox): never dropped.
- A merchant asking for a higher priority in a reply: the assignee and the team lead.
- A due date that passed with the ticket open (``due_passed``): the assignee and the team lead
  (one level up when neither is there).
- Account manager of the store: C1 and C2 tickets (opened, or raised to C1/C2).
- On call (``OnCallShift``/``OnCallOverride``): a C1 that arrives outside business hours, by
  email and WhatsApp; if no staff has answered 30 minutes later, the team lead (the ticket's
  team's, else every team's) — a row written now, due then, that is dropped when it falls due
  if the first response was met meanwhile (``unless_answered``).
- Webhook endpoints: every event they subscribe to (internal ones only if they take them).

On a ticket opened by mail, the merchant's side hears of the opening from the acknowledgement
(``acknowledgement``: threaded on their mail, capped per sender), not from a "created" mail.

Email to everyone; WhatsApp as well to a person with a WhatsApp number for what is urgent
(anything on a C1, staff replies and resolution to merchants). Nobody hears of their own action
(except the acknowledgement of a ticket they opened). A person's ``Preference`` may switch a
channel off, mute event kinds, set quiet hours (what falls in them waits for their end) or ask
for one daily digest instead of single mails; a C1 ignores all of that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings

from helpline.accounts.models import Role, User
from helpline.accounts.selectors import zone_for
from helpline.billing import links
from helpline.core import zones
from helpline.notifications import audience, escalation, mail_threads, paging, words
from helpline.notifications.preferences import next_digest, quiet_until, topics
from helpline.outbox import selectors as outbox
from helpline.outbox.channels.email import payload as email_payload
from helpline.outbox.channels.webhook import payload as webhook_payload
from helpline.outbox.channels.whatsapp import payload as whatsapp_payload
from helpline.outbox.models import Preference, Priority, WebhookEndpoint
from helpline.outbox.services import Notification
from helpline.tickets import listeners
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.events import EventKind

URGENT_FOR_MERCHANT = frozenset({"resolved", "workaround", "staff_reply"})
# Events that always reach someone (the escalation chain; the support mailbox at the end).
NEVER_UNHEARD = frozenset(
    {EventKind.SLA_WARNING, EventKind.SLA_BREACHED, EventKind.MERCHANT_ASKS_PRIORITY}
)
# One person's share of a change: (event, why they hear of it, its summary, its message).
Item = tuple[Any, str, str, Any]


def after_quote(event: Any) -> int:
    return int((event.after or {}).get("quote_id") or 0)


def _valid_until(event: Any) -> datetime:
    return datetime.fromisoformat(str((event.after or {}).get("valid_until")))


def _zone(user: User, ticket: Any) -> Any:
    """The reader's zone: the ticket's merchant's for its own people (already loaded), else
    the person's own (``accounts.selectors.zone_for``)."""
    if user.merchant_id is not None and user.merchant_id == ticket.merchant_id:
        return zones.zone_or_default(ticket.merchant.time_zone)
    return zone_for(user)


def _message_of(event: Any) -> Any:
    if event.kind not in (EventKind.MESSAGE, EventKind.NOTE, EventKind.MONITOR):
        return None
    message_id = (event.after or {}).get("message_id")
    loaded = getattr(event, "loaded_message", None)  # handed over by tickets.write_events
    if loaded is not None and message_id and loaded.pk == message_id:
        return loaded
    return ticket_selectors.message_by_id(message_id) if message_id else None


def _shown(message: Any) -> str | None:
    """The message's text if the recipient may read it (not an internal note)."""
    return message.body if message is not None and not message.internal else None


def _quote_lines(quote: Any, user: User) -> list[str]:
    """A merchant decides a quote from the mail: the signed links to approve or decline it."""
    if quote is None or user.role != Role.MERCHANT:
        return []
    return links.mail_lines(
        quote_id=after_quote(quote), user_id=user.pk, expires_at=_valid_until(quote)
    )


def _email(
    event: Any,
    ticket: Any,
    user: User,
    summary: str,
    message: Any,
    quote: Any = None,
    *,
    threaded: bool = False,
) -> dict[str, Any]:
    """The mail's payload; a ``threaded`` one gets its (recorded) Message-ID when it is put on
    the ticket's mail thread (``mail_threads``), others an unrecorded one now: one each."""
    return email_payload.ticket_update(
        reference=ticket.reference,
        subject=ticket.subject,
        summary=summary,
        reason=event.reason,
        body=_shown(message),
        extra=_quote_lines(quote, user),
        message_id="" if threaded else email_payload.event_message_id(ticket.pk, event.pk),
    )


def _whatsapp(ticket: Any, summary: str, message: Any) -> dict[str, Any]:
    return whatsapp_payload.ticket_update(
        reference=ticket.reference, subject=ticket.subject, summary=summary, body=_shown(message)
    )


def _lead_payloads(ticket: Any) -> Any:
    def payloads(event: Any, user: User, summary: str) -> tuple[dict[str, Any], dict[str, Any]]:
        return _email(event, ticket, user, summary, None), _whatsapp(ticket, summary, None)

    return payloads


def _webhooks(event: Any, ticket: Any, endpoints: Sequence[WebhookEndpoint]) -> list[Notification]:
    return [
        Notification(
            channel="webhook",
            kind=event.kind,
            recipient=endpoint.url,
            payload=webhook_payload.ticket_event(
                endpoint_id=endpoint.pk, event=event, ticket=ticket
            ),
            idempotency_key=f"ev{event.pk}.webhook.{endpoint.pk}",
            due_at=event.created_at,
            ticket_id=ticket.pk,
        )
        for endpoint in endpoints
        if endpoint.wants(event.kind, public=event.public)
    ]


def _acknowledged(ticket: Any, first: Any, threaded: bool) -> bool:
    """The opening of a mail ticket, to its requester by mail: the acknowledgement says it."""
    return threaded and ticket.channel == "email" and first.kind == EventKind.CREATED


def _priority(first: Any, ticket: Any, user: User) -> int:
    """The requester's own "we have your ticket" is their acknowledgement: taken before the
    bulk of a storm's notices (decision 0190)."""
    own = first.kind == EventKind.CREATED and ticket.requester_id == user.pk
    return Priority.URGENT if own else Priority.NORMAL


def _email_for(
    user: User, items: list[Item], ticket: Any, pref: Preference | None, summary: str
) -> Notification | None:
    """One mail naming everything in the change that concerns ``user`` (or a digest row, or
    one held until their quiet hours end); None when they do not want it."""
    c1 = ticket.priority == "C1"
    first = items[0][0]
    message = next((m for _, _, _, m in items if m is not None), None)
    at = max(event.created_at for event, _, _, _ in items)
    channel = "email"
    if pref is not None and not c1:  # a C1 ignores mutes, quiet hours and the digest
        if topics(items) <= set(pref.muted or []):
            return None
        if pref.digest:
            channel, at = "digest", next_digest(pref, user, at)
        else:
            at = quiet_until(pref, user, at) or at
    threaded = mail_threads.on_thread(ticket, channel=channel, user_id=user.pk)
    if not (pref is None or pref.email or c1) or _acknowledged(ticket, first, threaded):
        return None
    quote = next((e for e, _, _, _ in items if e.kind == EventKind.QUOTE), None)
    return Notification(
        channel=channel,
        kind=first.kind,
        recipient=user.email,
        payload=_email(first, ticket, user, summary, message, quote=quote, threaded=threaded),
        idempotency_key=f"ev{first.pk}.email.u{user.pk}",
        due_at=at,
        ticket_id=ticket.pk,
        recipient_user_id=user.pk,
        priority=_priority(first, ticket, user),
    )


def _whatsapp_for(
    user: User, items: list[Item], ticket: Any, pref: Preference | None, summary: str
) -> Notification | None:
    """WhatsApp as well for what is urgent: anything on a C1 for staff, staff replies and
    resolutions for merchants — unless they switched it off or muted it there."""
    c1 = ticket.priority == "C1"
    reasons = {why for _, why, _, _ in items}
    urgent = c1 and reasons - {"merchant", "staff_reply"}
    muted_here = pref is not None and topics(items) <= set(pref.whatsapp_muted or [])
    wants = c1 or pref is None or (pref.whatsapp and not pref.digest and not muted_here)
    if not (user.whatsapp and wants and (urgent or reasons & URGENT_FOR_MERCHANT)):
        return None
    if pref is not None and not c1 and topics(items) <= set(pref.muted or []):
        return None  # muted altogether (no mail either)
    first = items[0][0]
    at = max(event.created_at for event, _, _, _ in items)
    if pref is not None and not c1 and not pref.digest:
        at = quiet_until(pref, user, at) or at
    message = next((m for _, _, _, m in items if m is not None), None)
    return Notification(
        channel="whatsapp",
        kind=first.kind,
        recipient=user.whatsapp,
        payload=_whatsapp(ticket, summary, message),
        idempotency_key=f"ev{first.pk}.whatsapp.u{user.pk}",
        due_at=at,
        ticket_id=ticket.pk,
        recipient_user_id=user.pk,
    )


def _gather(
    ticket: Any, actor: Any, events: Sequence[Any]
) -> tuple[list[Notification], dict[int, tuple[User, list[Item]]]]:
    """The webhooks' and escalations' rows, and what each person hears of, event by event."""
    # Once per change: a creation is heard twice (routing's event inside it; decision 0198).
    memo = listeners.change_memo()
    if "webhook_endpoints" not in memo:
        memo["webhook_endpoints"] = outbox.active_endpoints()
    endpoints: list[WebhookEndpoint] = memo["webhook_endpoints"]
    out: list[Notification] = []
    heard: dict[int, tuple[User, list[Item]]] = {}
    for event in events:
        if event.pk is None:
            raise RuntimeError("ticket events must be saved (with ids) before notifying")
        out.extend(_webhooks(event, ticket, endpoints))
        out.extend(paging.escalations(event, ticket, _lead_payloads(ticket)))
        message = _message_of(event)
        people = audience.audience(event, ticket, actor)
        for user, why in people:
            summary = words.summary(event, ticket, partial(_zone, user, ticket))
            heard.setdefault(user.pk, (user, []))[1].append((event, why, summary, message))
        if event.kind in NEVER_UNHEARD:  # the support mailbox reads the installation's zone
            summary = words.summary(event, ticket, zones.zone_or_default())
            out.extend(escalation.unheard(event, ticket, [u.pk for u, _ in people], summary))
    return out, heard


def notifications_for(*, ticket: Any, actor: Any, events: Sequence[Any]) -> list[Notification]:
    """Webhooks get each event; a person gets one mail (and maybe one WhatsApp message) per
    change, naming everything in it that concerns them (a resolution is a message, a status
    change and a resolved event: one mail). Mail to the merchant's side is then threaded."""
    out, heard = _gather(ticket, actor, events)
    prefs = outbox.preferences_of(list(heard)) if heard else {}
    for user, items in heard.values():
        # Named after the gravest thing in it (a late sweep records a warning and a breach).
        items.sort(key=lambda item: item[0].kind != EventKind.SLA_BREACHED)
        summary = "; ".join(dict.fromkeys(summary for _, _, summary, _ in items))
        pref = prefs.get(user.pk)
        for made in (
            _email_for(user, items, ticket, pref, summary),
            _whatsapp_for(user, items, ticket, pref, summary),
        ):
            if made is not None:
                out.append(_held(made, items, ticket))
    return mail_threads.thread(ticket=ticket, events=events, notifications=out)


def _held(made: Notification, items: list[Item], ticket: Any) -> Notification:
    """The on-call's page for a new C1 — a store the monitor found down (decision 0140), or a
    merchant's C1 by mail, portal or API (decision 0194) — waits ``MONITOR_PAGE_HOLD_SECONDS``
    and is dropped if the ticket joined a platform incident by then (the incident pages once
    for the storm) or staff answered it (``unless_answered``)."""
    hold = settings.MONITOR_PAGE_HOLD_SECONDS
    if not hold or any(why != "on_call" for _, why, _, _ in items):
        return made
    if all(event.kind != EventKind.CREATED for event, _, _, _ in items):
        return made
    return replace(
        made,
        due_at=made.due_at + timedelta(seconds=hold),
        payload={**made.payload, "unless_answered": ticket.pk},
    )
