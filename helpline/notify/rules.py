"""Who hears what (issue 6), as one table, and the words they get.

- Merchant (the ticket's requester, a merchant user): acknowledgement, staff replies, status,
  priority and due-date changes, quotes, workaround and resolution — public events only, never
  their own messages.
- Assignee: assignment, merchant replies, 75 % warnings, breaches (a warning with nobody
  assigned goes to the team lead).
- Team lead: breaches.
- Account manager of the store: C1 and C2 tickets (opened, or raised to C1/C2).
- On call (``OnCallShift``/``OnCallOverride``): a C1 that arrives outside business hours, by
  email and WhatsApp; if no staff has answered 30 minutes later, the team lead (the ticket's
  team's, else every team's) — a row written now, due then, that is dropped when it falls due
  if the first response was met meanwhile (``unless_answered``).
- Webhook endpoints: every event they subscribe to (internal ones only if they take them).

Email to everyone; WhatsApp as well to a person with a WhatsApp number for what is urgent
(anything on a C1, staff replies and resolution to merchants). Nobody hears of their own action
(except the acknowledgement of a ticket they opened). A person's ``Preference`` may switch a
channel off, mute event kinds, set quiet hours (what falls in them waits for their end) or ask
for one daily digest instead of single mails; a C1 ignores all of that.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import Role, User
from helpline.core.prepared import Prepared
from helpline.notify import selectors
from helpline.notify.models import Preference, WebhookEndpoint
from helpline.notify.services import Notification
from helpline.sla import clock as sla_clock
from helpline.sla import selectors as sla_selectors
from helpline.sla.defaults import BUSINESS
from helpline.tickets.events import SLA_KINDS, EventKind

MERCHANT_KINDS = frozenset(
    {
        EventKind.CREATED,
        EventKind.STATUS,
        EventKind.PRIORITY,
        EventKind.DUE_DATE,
        EventKind.QUOTE,
        EventKind.QUOTE_APPROVED,
        EventKind.QUOTE_DECLINED,
        EventKind.QUOTE_EXPIRED,
        EventKind.WORKAROUND,
        EventKind.RESOLVED,
        EventKind.REOPENED,
        EventKind.WITHDRAWN,
    }
)
URGENT_FOR_MERCHANT = frozenset({"resolved", "workaround", "staff_reply"})
ESCALATE_AFTER = timedelta(minutes=30)
TEMPLATE = "helpline_ticket_update"  # approved template: "{{1}}: {{2}}" (reference, summary)


def _summary(event: Any, ticket: Any, message: Any) -> str:
    kind, after, before = event.kind, event.after or {}, event.before
    if kind == EventKind.CREATED:
        due = after.get("first_response_due")
        return f"we have your ticket ({ticket.priority}); first answer due {due}"
    if kind == EventKind.MESSAGE:
        who = "Support" if after.get("from_staff") else "The merchant"
        return f"{who} wrote" + (" (a question for you)" if after.get("question") else "")
    if kind == EventKind.STATUS:
        return f"status {str(before).replace('_', ' ')} → {str(event.after).replace('_', ' ')}"
    if kind == EventKind.PRIORITY:
        return f"priority {before} → {event.after}"
    if kind == EventKind.DUE_DATE:
        return f"due date {before or 'none'} → {event.after}"
    if kind == EventKind.ASSIGNEE:
        return "assigned to you"
    target = str(after.get("target", "")).replace("_", " ")
    if kind == EventKind.SLA_WARNING:
        return f"75 % of the {target} target used; due {after.get('deadline')}"
    if kind == EventKind.SLA_BREACHED:
        return f"{after.get('priority')} {target} target breached at {after.get('at')}"
    if kind == EventKind.MONITOR:
        return "news from the store monitor"
    if kind == EventKind.ENGINEERING_DONE:  # issue 8
        return f"engineering finished {', '.join(after.get('dev_tickets', []))}: tell the merchant"
    if kind == EventKind.QUOTE:
        amount, until = after.get("amount_inr"), after.get("valid_until")
        return f"a quote of INR {amount} awaits your approval until {until}"
    return kind.replace("_", " ")


def _email(
    event: Any, ticket: Any, user: User, summary: str, message: Any, quote: Any = None
) -> dict[str, Any]:
    domain = parseaddr(settings.SUPPORT_ADDRESS)[1].rsplit("@", 1)[-1]
    lines = [f"{ticket.reference}: {ticket.subject}", "", summary.capitalize() + "."]
    if event.reason:
        lines += ["", f"Reason: {event.reason}"]
    if message is not None and not message.internal:
        lines += ["", message.body]
    if quote is not None and user.role == Role.MERCHANT:  # issue 8: decide from the mail
        from helpline.billing import links

        lines += links.mail_lines(
            quote_id=after_quote(quote), user_id=user.pk, expires_at=_valid_until(quote)
        )
    lines += ["", "— Helpline (this message was sent automatically)"]
    return {
        "subject": f"[{ticket.reference}] {summary} — {ticket.subject}"[:250],
        "body": "\n".join(lines),
        "message_id": f"<hl.{ticket.pk}.{event.pk}.{secrets.token_hex(8)}@{domain}>",
    }


def _whatsapp(ticket: Any, summary: str, message: Any) -> dict[str, Any]:
    text = f"{ticket.reference} {ticket.subject}: {summary}"
    if message is not None and not message.internal:
        text += f"\n\n{message.body}"
    return {
        "text": text,
        "template": {"name": TEMPLATE, "language": "en", "params": [ticket.reference, summary]},
    }


def _webhook_body(event: Any, ticket: Any) -> dict[str, Any]:
    return {
        "event_id": event.pk,
        "event": event.kind,
        "at": event.created_at.isoformat(),
        "public": event.public,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "ticket": {
            "id": ticket.pk,
            "reference": ticket.reference,
            "subject": ticket.subject,
            "priority": ticket.priority,
            "status": ticket.status,
            "store_id": ticket.store_id,
            "merchant_id": ticket.merchant_id,
        },
    }


def _audience(event: Any, ticket: Any, actor: User | None, message: Any) -> list[tuple[User, str]]:
    """(person, why) pairs for one event."""
    kind, after = event.kind, event.after or {}
    out: list[tuple[User, str]] = []
    requester = ticket.requester if ticket.requester_id else None
    merchant = requester if requester is not None and requester.role == Role.MERCHANT else None
    assignee = ticket.assignee if ticket.assignee_id else None
    lead = ticket.team.lead if ticket.team_id and ticket.team.lead_id else None
    manager = ticket.store.account_manager if ticket.store.account_manager_id else None

    if merchant is not None and event.public:
        if kind in MERCHANT_KINDS and (
            kind == EventKind.CREATED or actor is None or actor.pk != merchant.pk
        ):
            out.append((merchant, "merchant"))
        elif kind == EventKind.MESSAGE and after.get("from_staff"):
            out.append((merchant, "staff_reply"))
    if kind == EventKind.ASSIGNEE and assignee is not None and assignee.pk == after_id(event):
        out.append((assignee, "assignee"))
    if kind == EventKind.MESSAGE and not after.get("from_staff") and assignee is not None:
        out.append((assignee, "merchant_reply"))
    if kind == EventKind.SLA_WARNING:
        if assignee is not None:
            out.append((assignee, "warning"))
        elif lead is not None:
            out.append((lead, "warning"))
    if kind == EventKind.SLA_BREACHED:
        if assignee is not None:
            out.append((assignee, "breach"))
        if lead is not None:
            out.append((lead, "breach"))
    if manager is not None and (
        (kind == EventKind.CREATED and ticket.priority in ("C1", "C2"))
        or (
            kind == EventKind.PRIORITY
            and event.after in ("C1", "C2")
            and event.before not in ("C1", "C2")
        )
    ):
        out.append((manager, "account_manager"))
    if kind == EventKind.ENGINEERING_DONE:  # issue 8: the agent and the account manager are told
        out.extend((u, "engineering_done") for u in (assignee, manager) if u is not None)
    if kind == EventKind.QUOTE_DECLINED and assignee is not None:  # back to staff with the reason
        out.append((assignee, "quote_declined"))
    if (
        kind == EventKind.CREATED
        and ticket.priority == "C1"
        and after_hours(ticket, event.created_at)
    ):
        out.extend((user, "on_call") for user in selectors.on_call_at(event.created_at))
    if ticket.channel == "monitor" and kind in (EventKind.CREATED, EventKind.MONITOR):
        # Opened by the store monitor (no requester): the merchant's people, the account
        # manager and, for a new outage, whoever is on call — at any hour.
        out.extend(
            (u, "merchant")
            for u in account_selectors.merchant_users([ticket.merchant_id], by_name=True)
        )
        if manager is not None:
            out.append((manager, "account_manager"))
        if kind == EventKind.CREATED:
            out.extend((user, "on_call") for user in selectors.on_call_at(event.created_at))
    seen: set[int] = set()
    result = []
    for user, why in out:
        if user.pk in seen or not user.is_active:
            continue
        own = actor is not None and user.pk == actor.pk and kind not in SLA_KINDS
        if own and kind != EventKind.CREATED:
            continue
        seen.add(user.pk)
        result.append((user, why))
    return result


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE_DISPLAY)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE_DISPLAY)


def _at_local(day: date, when: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, when, tzinfo=zone)


def _topics(items: Sequence[tuple[Any, ...]]) -> set[str]:
    """What one person's notification is about, for their mutes: its named actions (a
    resolution, a quote) without the status change and message that come with them."""
    kinds = {item[0].kind for item in items}
    return (kinds - {EventKind.STATUS, EventKind.MESSAGE}) or kinds


def quiet_until(pref: Preference, user: User, at: datetime) -> datetime | None:
    """The end of the quiet hours ``at`` falls in (None: not quiet then)."""
    if pref.quiet_start is None or pref.quiet_end is None:
        return None
    zone = _zone(user)
    local = at.astimezone(zone)
    t, start, end = local.time().replace(tzinfo=None), pref.quiet_start, pref.quiet_end
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    until = _at_local(local.date(), end, zone)
    if until <= local:
        until = _at_local(local.date() + timedelta(days=1), end, zone)
    return until


def next_digest(pref: Preference, user: User, at: datetime) -> datetime:
    zone = _zone(user)
    local = at.astimezone(zone)
    when = _at_local(local.date(), pref.digest_at, zone)
    return (
        when if when > local else _at_local(local.date() + timedelta(days=1), pref.digest_at, zone)
    )


def after_hours(ticket: Any, at: datetime) -> bool:
    policy = sla_selectors.policy_version(ticket.policy_version_id)
    return not sla_clock.is_business_time(sla_selectors.business_calendar(policy, BUSINESS, at), at)


def _escalations(event: Any, ticket: Any) -> list[Notification]:
    """A C1 after hours: the lead hears of it 30 minutes later unless staff answered by then."""
    if event.kind != EventKind.CREATED or ticket.priority != "C1":
        return []
    if not after_hours(ticket, event.created_at):
        return []
    if ticket.team_id and ticket.team.lead_id:
        leads = [ticket.team.lead]
    else:
        leads = account_selectors.team_leads()
    due = event.created_at + ESCALATE_AFTER
    summary = "C1 unanswered for 30 minutes after hours"
    out = []
    for lead in {u.pk: u for u in leads if u is not None and u.is_active}.values():
        email = _email(event, ticket, lead, summary, None)
        email["unless_answered"] = ticket.pk
        out.append(
            Notification(
                channel="email",
                kind="c1_unanswered",
                recipient=lead.email,
                payload=email,
                idempotency_key=f"ev{event.pk}.escalate.email.u{lead.pk}",
                due_at=due,
                ticket_id=ticket.pk,
                recipient_user_id=lead.pk,
            )
        )
        if lead.whatsapp:
            out.append(
                Notification(
                    channel="whatsapp",
                    kind="c1_unanswered",
                    recipient=lead.whatsapp,
                    payload={**_whatsapp(ticket, summary, None), "unless_answered": ticket.pk},
                    idempotency_key=f"ev{event.pk}.escalate.whatsapp.u{lead.pk}",
                    due_at=due,
                    ticket_id=ticket.pk,
                    recipient_user_id=lead.pk,
                )
            )
    return out


def after_quote(event: Any) -> int:
    return int((event.after or {}).get("quote_id") or 0)


def _valid_until(event: Any) -> datetime:
    return datetime.fromisoformat(str((event.after or {}).get("valid_until")))


def after_id(event: Any) -> int | None:
    return event.after if isinstance(event.after, int) else None


def _message_of(event: Any) -> Any:
    if event.kind not in (EventKind.MESSAGE, EventKind.NOTE, EventKind.MONITOR):
        return None
    from helpline.tickets import selectors as ticket_selectors

    message_id = (event.after or {}).get("message_id")
    loaded = getattr(event, "loaded_message", None)  # handed over by tickets.write_events
    if loaded is not None and message_id and loaded.pk == message_id:
        return loaded
    return ticket_selectors.message_by_id(message_id) if message_id else None


# Read on every ticket change: compiled once (decision 0080).
_active_endpoints: Prepared[WebhookEndpoint] = Prepared(
    lambda: WebhookEndpoint.objects.filter(active=True)
)
_preferences_of: Prepared[Preference] = Prepared(
    lambda user_ids: Preference.objects.filter(user_id__in=user_ids), user_ids=[int]
)


def notifications_for(*, ticket: Any, actor: Any, events: Sequence[Any]) -> list[Notification]:
    """Webhooks get each event; a person gets one mail (and maybe one WhatsApp message) per
    change, naming everything in it that concerns them (a resolution is a message, a status
    change and a resolved event: one mail)."""
    endpoints = _active_endpoints()
    out: list[Notification] = []
    heard: dict[int, tuple[User, list[tuple[Any, str, str, Any]]]] = {}
    for event in events:
        if event.pk is None:
            raise RuntimeError("ticket events must be saved (with ids) before notifying")
        for endpoint in endpoints:
            if endpoint.wants(event.kind, public=event.public):
                out.append(
                    Notification(
                        channel="webhook",
                        kind=event.kind,
                        recipient=endpoint.url,
                        payload={"endpoint_id": endpoint.pk, "body": _webhook_body(event, ticket)},
                        idempotency_key=f"ev{event.pk}.webhook.{endpoint.pk}",
                        due_at=event.created_at,
                        ticket_id=ticket.pk,
                    )
                )
        out.extend(_escalations(event, ticket))
        message = _message_of(event)
        for user, why in _audience(event, ticket, actor, message):
            summary = _summary(event, ticket, message)
            heard.setdefault(user.pk, (user, []))[1].append((event, why, summary, message))
    prefs = {p.user_id: p for p in _preferences_of(user_ids=list(heard))} if heard else {}
    c1 = ticket.priority == "C1"
    for user, items in heard.values():
        # Named after the gravest thing in it (a late sweep records a warning and a breach).
        items.sort(key=lambda item: item[0].kind != EventKind.SLA_BREACHED)
        first = items[0][0]
        summaries = [summary for _, _, summary, _ in items]
        message = next((m for _, _, _, m in items if m is not None), None)
        summary = "; ".join(dict.fromkeys(summaries))
        at = max(event.created_at for event, _, _, _ in items)
        pref = prefs.get(user.pk)
        channel = "email"
        if pref is not None and not c1:  # a C1 ignores mutes, quiet hours and the digest
            if _topics(items) <= set(pref.muted or []):
                continue
            if pref.digest:
                channel, at = "digest", next_digest(pref, user, at)
            else:
                at = quiet_until(pref, user, at) or at
        if pref is None or pref.email or c1:
            out.append(
                Notification(
                    channel=channel,
                    kind=first.kind,
                    recipient=user.email,
                    payload=_email(
                        first,
                        ticket,
                        user,
                        summary,
                        message,
                        quote=next((e for e, _, _, _ in items if e.kind == EventKind.QUOTE), None),
                    ),
                    idempotency_key=f"ev{first.pk}.email.u{user.pk}",
                    due_at=at,
                    ticket_id=ticket.pk,
                    recipient_user_id=user.pk,
                )
            )
        reasons = {why for _, why, _, _ in items}
        urgent = c1 and reasons - {"merchant", "staff_reply"}
        muted_here = pref is not None and _topics(items) <= set(pref.whatsapp_muted or [])
        wants = c1 or pref is None or (pref.whatsapp and not pref.digest and not muted_here)
        if user.whatsapp and wants and (urgent or reasons & URGENT_FOR_MERCHANT):
            out.append(
                Notification(
                    channel="whatsapp",
                    kind=first.kind,
                    recipient=user.whatsapp,
                    payload=_whatsapp(ticket, summary, message),
                    idempotency_key=f"ev{first.pk}.whatsapp.u{user.pk}",
                    due_at=at,
                    ticket_id=ticket.pk,
                    recipient_user_id=user.pk,
                )
            )
    # Mail threading (Message-IDs recorded, In-Reply-To/References, reply templates): issue 4.
    from helpline.mail import outbound

    return outbound.thread(ticket=ticket, events=events, notifications=out)
