"""Inbound WhatsApp through Meta's Cloud API webhook.

Meta first verifies the subscription (GET with ``hub.mode``, ``hub.verify_token``,
``hub.challenge``), then POSTs every change signed with the app secret
(``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body>``). Each inbound message is
recorded once by its id (Meta repeats deliveries), opens the customer's 24-hour window for
free-text replies, and — a text from a merchant user's number who has an open ticket —
becomes their reply on their most recently opened open ticket (``tickets.services.ticket_reply``,
so it is an event, restarts paused clocks and notifies the assignee like any merchant message).
A survey's reply button or list row (``csat:<survey>:<score>``) is that survey's answer, or a
polite refusal once it has closed (``csat.services.answer_by_whatsapp``). Anything else is
recorded with the reason and ignored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from helpline.accounts import selectors as people
from helpline.core.errors import InvalidInput
from helpline.core.validation import has_nul
from helpline.csat import services as csat
from helpline.csat import words as csat_words
from helpline.outbox import services as outbox
from helpline.outbox.models import WhatsAppInbound
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets import services as tickets
from helpline.tickets.models import OPEN_STATUSES, Channel

SIGNATURE_HEADER = "X-Hub-Signature-256"
REPLY_CHANNEL = Channel.WHATSAPP  # how the message is recorded as having arrived
BODY_MAX = 4096  # WhatsApp's own limit on a text message


def signature_ok(body: bytes, header: str) -> bool:
    """Is ``header`` (``sha256=<hex>``) the HMAC-SHA256 of ``body`` with the app secret?"""
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def verification_challenge(mode: str, token: str, challenge: str) -> str | None:
    """The challenge to echo when Meta's subscription check matches our verify token."""
    expected = settings.WHATSAPP_VERIFY_TOKEN
    if mode != "subscribe" or not expected or not challenge:
        return None
    if not hmac.compare_digest(expected.encode(), token.encode()):
        return None
    return challenge


@dataclass(frozen=True)
class Message:
    message_id: str
    phone: str  # E.164, with the +
    kind: str
    body: str
    sent_at: datetime
    reply: str = ""  # the id of the button or list row chosen (a survey's answer)


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit or has_nul(value):
        raise InvalidInput(
            f"{what} must be non-empty text of at most {limit} characters", code="invalid_webhook"
        )
    return value


def _reply_id(item: dict[str, Any], kind: str) -> str:
    """The id a customer's choice sends back: a template's quick reply (``button.payload``),
    an interactive reply button or list row (``interactive.button_reply/list_reply.id``)."""
    if kind == "button":
        return _text((item.get("button") or {}).get("payload"), "button.payload", 256)
    if kind == "interactive":
        chosen = item.get("interactive") or {}
        reply = chosen.get("button_reply") or chosen.get("list_reply") or {}
        return _text(reply.get("id"), "interactive reply id", 256)
    return ""


def parse(payload: Any) -> list[Message]:
    """The inbound messages of a webhook body (statuses and other changes are skipped)."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise InvalidInput("not a WhatsApp Business Account webhook", code="invalid_webhook")
    found: list[Message] = []
    try:
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                if change.get("field") != "messages":
                    continue
                for item in (change.get("value") or {}).get("messages") or []:
                    phone = _text(item.get("from"), "messages[].from", 20).lstrip("+")
                    if not phone.isdigit():
                        raise InvalidInput(
                            "messages[].from must be a phone number", code="invalid_webhook"
                        )
                    kind = _text(item.get("type"), "messages[].type", 20)
                    body = ""
                    if kind == "text":
                        body = _text((item.get("text") or {}).get("body"), "text.body", BODY_MAX)
                    reply = _reply_id(item, kind)
                    stamp = int(_text(item.get("timestamp"), "messages[].timestamp", 12))
                    found.append(
                        Message(
                            message_id=_text(item.get("id"), "messages[].id", 200),
                            phone=f"+{phone}",
                            kind=kind,
                            body=body,
                            sent_at=datetime.fromtimestamp(stamp, tz=UTC),
                            reply=reply,
                        )
                    )
    except (AttributeError, TypeError, ValueError, OverflowError, OSError) as exc:
        raise InvalidInput(f"malformed WhatsApp webhook: {exc}", code="invalid_webhook") from None
    return found


def whatsapp_received(*, payload: Any, now: datetime) -> list[WhatsAppInbound]:
    """Record each new message of a (verified) webhook body; repeats are skipped."""
    recorded = []
    for message in parse(payload):
        row = _receive(message, now=now)
        if row is not None:
            recorded.append(row)
    return recorded


def _receive(message: Message, *, now: datetime) -> WhatsAppInbound | None:
    try:
        with transaction.atomic():
            # The record first: a concurrent repeat waits on the unique id, then fails and
            # rolls back (its reply with it).
            row = outbox.whatsapp_inbound_record(
                message_id=message.message_id,
                phone=message.phone,
                kind=message.kind,
                body=message.body,
                sent_at=message.sent_at,
                received_at=now,
            )
            outbox.whatsapp_inbound_seen(phone=message.phone, at=message.sent_at)
            _route(row, message, now=now)
            row.save(update_fields=["outcome", "reason", "ticket"])
    except IntegrityError:
        return None  # seen before: Meta repeated it
    return row


def _route(row: WhatsAppInbound, message: Message, *, now: datetime) -> None:
    if message.reply.startswith(csat_words.REPLY_PREFIX + ":"):
        answered = csat.answer_by_whatsapp(
            phone=message.phone, reply=message.reply, message_id=message.message_id, now=now
        )
        row.outcome = WhatsAppInbound.Outcome.ANSWER if answered.recorded else row.outcome
        row.reason, row.ticket_id = answered.reason, answered.ticket_id
        return
    users = people.merchant_users_by_whatsapp(message.phone)
    if not users:
        row.reason = "no merchant user has this WhatsApp number"
        return
    if len(users) > 1:
        row.reason = "several merchant users have this WhatsApp number"
        return
    if message.kind != "text":
        row.reason = f"only text messages become replies (this was {message.kind})"
        return
    user = users[0]
    open_tickets, _ = ticket_selectors.ticket_list(
        user=user, filters=ticket_selectors.TicketFilters(status=list(OPEN_STATUSES)), limit=1
    )
    if not open_tickets:
        row.reason = "the sender has no open ticket"
        return
    ticket = open_tickets[0]
    tickets.ticket_reply(
        actor=user, ticket=ticket, body=message.body, channel=REPLY_CHANNEL, now=now
    )
    row.outcome = WhatsAppInbound.Outcome.REPLY
    row.ticket = ticket
