"""Mail in: one service for every way a message arrives (CLI, IMAP poller, HTTP endpoint).

``mail_ingest(raw, source=…, now=…)`` keeps the raw bytes (``InboundMail``), then routes the
message (decision 0016):

1. Unreadable, empty, too large, no sender → quarantined with the reason.
2. Automatic mail (auto-replies, bounces, complaints, receipts, lists, bulk) → ignored: never
   a ticket, never answered. Mail from our own address likewise.
3. A reply: In-Reply-To/References naming a Message-ID *we generated* joins that ticket (a
   sender who is no contact of its merchant is flagged for staff); one we *received*, or the
   ticket reference in the subject, joins only when the sender is a contact of that ticket's
   merchant. A reply to a closed ticket opens a new ticket that cites it. A priority tag in a
   reply never changes the priority; a higher one records "merchant asks for Cn".
4. Otherwise a new ticket: a contact's merchant (their default store, the store at their mail
   domain, or the merchant's first store); an unknown sender's ticket is flagged "unverified
   sender" (on the store at their domain) or quarantined, by ``MAIL_UNKNOWN_SENDERS``.

Tickets and replies go through ``tickets.services`` (channel ``email``). Everything for one
message is one transaction, and the ``InboundMail`` row's unique Message-ID makes a second copy
of the same message a no-op: a poller that dies between commit and marking the message done
fetches it again and nothing is duplicated.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction

from helpline.accounts.models import User
from helpline.core import clock, limits
from helpline.core.errors import HelplineError, InvalidInput, NotFound
from helpline.core.prepared import Prepared, insert
from helpline.core.storage import StorageUnavailable
from helpline.core.validation import CONTROL
from helpline.mail import bounces, c1, listeners, senderauth, threads
from helpline.mail.models import InboundMail, MessageId, Outcome
from helpline.mail.parse import ParsedMessage, parse
from helpline.mail.subject import priority_tags
from helpline.merchants import selectors as merchants
from helpline.merchants.models import Store
from helpline.merchants.selectors import Sender
from helpline.sla import selectors as sla_selectors
from helpline.tickets import attachments, events
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets import services as tickets
from helpline.tickets.models import (
    REFERENCE_PREFIX,
    Attachment,
    Channel,
    Status,
    Ticket,
    TicketMessage,
)
from helpline.tickets.services import checks

log = logging.getLogger(__name__)

ISSUE_TYPE = "functionality"
DEFAULT_PRIORITY = "C3"
BODY_MAX = checks.BODY_MAX
_REFERENCE = re.compile(rf"(?<![\w-]){re.escape(REFERENCE_PREFIX)}(\d{{1,12}})(?!\w)", re.I)


@dataclass(frozen=True)
class Result:
    """What became of one message: ``outcome`` is ticket, reply, ignored or quarantined."""

    outcome: str
    reference: str = ""
    reason: str = ""
    inbound_id: int | None = None
    duplicate: bool = False
    refused: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        if self.outcome in (Outcome.TICKET, Outcome.REPLY):
            return f"{self.outcome} {self.reference}"
        return f"{self.outcome} ({self.reason})"


@dataclass
class _Decision:
    status: str
    reason: str = ""
    ticket: Ticket | None = None
    message: TicketMessage | None = None
    refused: list[attachments.Refused] = field(default_factory=list)
    opened: bool = False  # the mail opened the ticket (the sender may be acknowledged)
    unverified: bool = False  # … as an unverified sender's (a C1 tag then pages: ``c1``)
    stored: list[Attachment] = field(default_factory=list)  # files written, for a rollback


def support_address() -> str:
    return parseaddr(settings.SUPPORT_ADDRESS)[1].lower()


def _nul_free(text: str | None) -> str:
    """PostgreSQL text cannot hold NUL; mail can (the raw bytes keep the original)."""
    return (text or "").replace("\x00", "\ufffd")


def _key(parsed: ParsedMessage | None, digest: str) -> str:
    mid = _nul_free(parsed.message_id).strip() if parsed is not None else ""
    return mid if mid and len(mid) <= 255 else f"sha256:{digest}"


def _duplicate(existing: InboundMail) -> Result:
    what = existing.status
    if existing.ticket_id:
        what += f" {REFERENCE_PREFIX}{existing.ticket_id}"
    return Result(
        outcome=Outcome.IGNORED,
        reason=f"duplicate: already received as {what}",
        inbound_id=existing.pk,
        duplicate=True,
        reference=f"{REFERENCE_PREFIX}{existing.ticket_id}" if existing.ticket_id else "",
    )


# Every message asks these, hence Prepared reads. The key is unique, so a slice
# without ORDER BY (decision 0070).
_inbound_by_key: Prepared[InboundMail] = Prepared(
    lambda key: InboundMail.objects.filter(message_id=key).only("pk", "status", "ticket_id")[:1],
    key=str,
)
_threads_of: Prepared[MessageId] = Prepared(
    lambda refs: (
        MessageId.objects.filter(message_id__in=refs)
        .select_related("ticket", "ticket__store", "ticket__merchant")
        .order_by("-pk")
    ),
    refs=[str],
)


def _received(key: str) -> InboundMail | None:
    """The record of an earlier copy: only what ``_duplicate`` names."""
    return next(iter(_inbound_by_key(key=key)), None)


def mail_ingest(raw: bytes, *, source: str, now: datetime | None = None, name: str = "") -> Result:
    """Receive one raw RFC 5322 message. Never raises for what is wrong with the message (that
    is a quarantine with the reason); raises only when Helpline itself fails (the database)."""
    now = now or clock.now()
    raw = bytes(raw or b"")
    digest = hashlib.sha256(raw).hexdigest()
    cap = settings.MAIL_MAX_BYTES
    parsed: ParsedMessage | None = None
    problem = ""
    if not raw.strip():
        problem = "empty message"
    elif len(raw) > cap:
        problem = f"larger than the {cap:,} byte limit ({len(raw):,} bytes; first {cap:,} kept)"
    else:
        try:
            parsed = parse(raw)
        except Exception as exc:  # the parser promises not to raise; if it does, keep the mail
            log.exception("mail parser failed")
            problem = f"unreadable: the parser failed ({type(exc).__name__})"
    key = _key(parsed, digest)
    decision: _Decision | None = None
    if (existing := _received(key)) is not None:
        return _duplicate(existing)
    try:
        # The policy and calendar revisions are read once for the whole message (the ticket
        # service and the acknowledgement's after-hours check share them; decision 0070).
        with transaction.atomic(), sla_selectors.read_once():
            row = InboundMail(
                message_id=key,
                name=_nul_free(name)[:500],
                source=source[:10],
                from_address=_nul_free(parsed.from_address if parsed else "")[:320],
                subject=_nul_free(parsed.subject if parsed else "")[:300],
                status=Outcome.QUARANTINED,
                reason=problem,
                raw=raw[:cap],
                raw_size=len(raw),
                raw_truncated=len(raw) > cap,
                html=_nul_free(parsed.html) if parsed else "",
                received_at=now,
            )
            decision = (
                _Decision(Outcome.QUARANTINED, problem)
                if parsed is None
                else _route(row, parsed, now)
            )
            _record_decision(row, parsed, decision, now)
    except IntegrityError:
        # The same message arriving twice at once: the other copy committed first.
        existing = _lost_race(key, decision)
        if existing is None:
            raise
        return _duplicate(existing)
    return Result(
        outcome=decision.status,
        reference=decision.ticket.reference if decision.ticket is not None else "",
        reason=decision.reason,
        inbound_id=row.pk,
        refused=tuple(f"{r.filename} ({r.reason})" for r in decision.refused),
    )


def _lost_race(key: str, decision: _Decision | None) -> InboundMail | None:
    """The copy that committed first, if there is one. The files this copy wrote belong to no
    row now (its transaction rolled back): removed."""
    if decision is not None:
        attachments.attachments_discard(decision.stored)
    return _received(key)


def _record_decision(
    row: InboundMail, parsed: ParsedMessage | None, decision: _Decision, now: datetime
) -> None:
    row.status = decision.status
    row.reason = _nul_free(decision.reason)[:2000]
    row.ticket = decision.ticket
    row.ticket_message = decision.message
    if decision.opened and decision.ticket is not None:
        row.priority = decision.ticket.priority
    row.paged = c1.page_if_unverified(row, decision.ticket, unverified=decision.unverified, now=now)
    if decision.ticket is not None and parsed is not None:
        _record_received(
            row,
            parsed,
            decision.ticket,
            decision.message,
            decision.refused,
            now,
            opened=decision.opened,
        )
    # One INSERT at the end: the unique Message-ID refuses a copy committed meanwhile, and the
    # whole transaction (ticket, reply, outbox rows) goes with it (mail_ingest answers
    # "duplicate"). A prepared insert, like the other INSERTs of a message.
    insert([row])


# ---------------------------------------------------------------- routing


def _route(row: InboundMail, parsed: ParsedMessage, now: datetime) -> _Decision:
    sender_address = parsed.from_address
    if parsed.auto == "bounce":
        return _bounce(row, now)
    if parsed.auto:
        return _Decision(Outcome.IGNORED, f"automatic mail: {parsed.auto}")
    if not sender_address or "@" not in sender_address or "\x00" in sender_address:
        why = "no sender address"
        if parsed.defects:
            why += f"; {parsed.defects[0]}"
        return _Decision(Outcome.QUARANTINED, why)
    if sender_address == support_address():
        return _Decision(Outcome.IGNORED, "mail from our own address (a loop)")
    sender = merchants.contact_for_address(sender_address)
    unproven: Sender | None = None
    if sender is not None and not _proven(row, sender_address):
        # A contact's address the mail does not prove: handled as a stranger's (never posts as
        # the contact, never raises a priority), flagged with the verdict (decision 0168).
        unproven, sender = sender, None
    ticket, _trusted = _thread(parsed, sender)
    flagged = ticket is not None and not _is_contact_of(sender, ticket)
    try:
        with transaction.atomic():
            if unproven is not None and settings.MAIL_UNKNOWN_SENDERS == "quarantine":
                return _Decision(Outcome.QUARANTINED, _why_unproven(row))
            if ticket is not None and ticket.status != Status.CLOSED:
                return _reply(
                    parsed, sender, ticket, flagged=flagged, now=now, why=_why_unproven(row)
                )
            if ticket is not None:
                # Closed is final: a new ticket on the same store that cites it.
                return _new_ticket(
                    parsed, sender, ticket.store, unverified=flagged, cites=ticket, now=now
                )
            if sender is None:
                if settings.MAIL_UNKNOWN_SENDERS == "quarantine":
                    return _Decision(Outcome.QUARANTINED, _why_unproven(row) or "unknown sender")
                domain = sender_address.rsplit("@", 1)[-1]
                store = (
                    merchants.store_for_domain(domain)
                    if unproven is None
                    else _store_of(unproven, sender_address)
                )
                if store is None:
                    return _Decision(Outcome.QUARANTINED, f"unknown sender; no store at {domain}")
                return _new_ticket(
                    parsed, None, store, unverified=True, now=now, why=_why_unproven(row)
                )
            store = _store_of(sender, sender_address)
            if store is None:
                return _Decision(
                    Outcome.QUARANTINED, f"merchant {sender.merchant.name!r} has no store"
                )
            return _new_ticket(parsed, sender, store, unverified=False, now=now)
    except StorageUnavailable:
        raise  # Helpline's own fault, not the mail's: nothing is kept, the sender retries
    except (InvalidInput, NotFound, HelplineError) as exc:
        return _Decision(Outcome.QUARANTINED, f"refused by the ticket service: {exc.detail}")


def _bounce(row: InboundMail, now: datetime) -> _Decision:
    """A bounce is never a ticket; the addresses it names as failed are counted (decision
    0228: the status subscriptions drop one after three)."""
    failed = bounces.failed_recipients(bytes(row.raw or b""))
    if failed:
        listeners.bounced(listeners.Bounced(addresses=failed, key=row.message_id, now=now))
    return _Decision(Outcome.IGNORED, f"automatic mail: bounce ({len(failed)} failed)")


def _proven(row: InboundMail, address: str) -> bool:
    """Check the sender (``MAIL_SENDER_AUTH``); the verdict is kept on the row for staff."""
    if settings.MAIL_SENDER_AUTH == "off":
        return True
    try:
        verdict = senderauth.check(bytes(row.raw or b""), address.rsplit("@", 1)[-1])
    except Exception as exc:  # it promises not to raise; if it does, the mail proves nothing
        log.exception("sender check failed")
        verdict = senderauth.Verdict(senderauth.TEMPERROR, f"the check failed ({exc!r:.200})")
    row.sender_auth = verdict.result
    row.sender_auth_detail = _nul_free(verdict.detail)[:1000]
    return senderauth.verified(verdict)


def _why_unproven(row: InboundMail) -> str:
    if not row.sender_auth or row.sender_auth == senderauth.PASS:
        return ""
    return f"sender not verified ({row.sender_auth}: {row.sender_auth_detail})"


def _is_contact_of(sender: Sender | None, ticket: Ticket) -> bool:
    return sender is not None and sender.merchant.pk == ticket.merchant_id


def _thread(parsed: ParsedMessage, sender: Sender | None) -> tuple[Ticket | None, bool]:
    """The ticket this message answers, and whether the match is on an ID we generated."""
    refs = [
        r
        for r in (*parsed.in_reply_to, *parsed.references)
        if r and len(r) <= 255 and "\x00" not in r
    ][:100]
    if refs:
        rows = _threads_of(refs=refs)
        ours = [r for r in rows if r.outbound]
        if ours:
            return ours[0].ticket, True
        for r in rows:
            if _is_contact_of(sender, r.ticket):
                return r.ticket, False
    if sender is not None:
        numbers = [int(n) for n in _REFERENCE.findall(parsed.subject)][:10]
        if numbers:
            found = ticket_selectors.referenced_ticket(
                numbers=numbers, merchant_id=sender.merchant.pk
            )
            if found is not None:
                return found, False
    return None, False


def _store_of(sender: Sender, address: str) -> Store | None:
    if sender.default_store is not None:
        return sender.default_store
    domain = address.rsplit("@", 1)[-1]
    return merchants.store_of_merchant_for(sender.merchant.pk, domain)


def _clip(text: str) -> str:
    # The ticket services refuse control characters (tab and newline aside); mail is not typed
    # into our forms, so they are removed (the raw message keeps them).
    text = CONTROL.sub("", text).strip()
    if len(text) > BODY_MAX:
        note = "\n\n[… cut here; the whole message is kept with the mail]"
        text = text[: BODY_MAX - len(note)] + note
    return text


def _uploads(parsed: ParsedMessage) -> list[attachments.Upload]:
    return [
        attachments.Upload(
            filename=a.filename,
            content_type=a.content_type,
            data=a.data,
            inline=a.inline,
            content_id=a.content_id or "",
        )
        for a in parsed.attachments
    ]


def _actor(sender: Sender | None, ticket_merchant_id: int) -> User | None:
    if sender is None or sender.user is None or sender.merchant.pk != ticket_merchant_id:
        return None
    return sender.user


def _new_ticket(
    parsed: ParsedMessage,
    sender: Sender | None,
    store: Store,
    *,
    unverified: bool,
    now: datetime,
    cites: Ticket | None = None,
    why: str = "",
    limited: bool = True,
) -> _Decision:
    domain = (parsed.from_address or "").rsplit("@", 1)[-1]
    if limited and not limits.hit(limits.MAIL_DOMAIN, domain, now=now).allowed:
        return _Decision(
            Outcome.QUARANTINED,
            f"too many new tickets from {domain[:100]} this hour ({limits.MAIL_DOMAIN})",
        )
    subject, body = _subject_and_body(parsed, cites)
    asked = priority_tags(parsed.subject or "") or DEFAULT_PRIORITY
    # Nobody vouches for it: never above C3 (a C1 also pages the on-call: ``c1``).
    demoted = unverified and _rank(asked) < _rank(DEFAULT_PRIORITY)
    ticket = tickets.ticket_create(
        actor=_actor(sender, store.merchant_id),
        store=store,
        subject=subject,
        description=body,
        issue_type=ISSUE_TYPE,
        priority=DEFAULT_PRIORITY if demoted else asked,
        channel=Channel.EMAIL,
        now=now,
        unverified_sender=unverified,
    )
    said = []  # what the mail's ticket says of itself beside its creation
    if demoted:
        said.append(
            events.merchant_asks_priority(
                asked=asked, current=ticket.priority, message_id=None, unverified=True
            )
        )
    if why:
        said.append(events.unverified_sender(address=parsed.from_address, message_id=None, why=why))
    if cites is not None:
        said.append(events.follow_up_of(ticket=cites.pk, reference=cites.reference))
    for event in said:
        tickets.ticket_record(ticket=ticket, event=event, now=now)
    stored, refused = attachments.attachments_store(
        ticket=ticket, message=None, files=_uploads(parsed), now=now
    )
    return _Decision(
        Outcome.TICKET,
        "",
        ticket,
        None,
        refused,
        opened=True,
        unverified=demoted and asked == "C1",
        stored=stored,
    )


def _subject_and_body(parsed: ParsedMessage, cites: Ticket | None) -> tuple[str, str]:
    """A new ticket's subject and description from a mail (a follow-up says which ticket)."""
    subject = CONTROL.sub("", parsed.subject or "").strip()[:200] or "(no subject)"
    body = _clip(parsed.text or "")
    if cites is not None:
        body = _clip(f"(Follow-up to {cites.reference}, which is closed.)\n\n{body}")
    if not body:
        body = "(the mail has no text" + ("; see the attachments)" if parsed.attachments else ")")
    return subject, body


def _rank(priority: str) -> int:
    return int(priority[1:]) if priority[1:].isdigit() else 99


def _reply(
    parsed: ParsedMessage,
    sender: Sender | None,
    ticket: Ticket,
    *,
    flagged: bool,
    now: datetime,
    why: str = "",
) -> _Decision:
    body = _clip(parsed.new_text or "") or _clip(parsed.text or "")
    if not body:
        body = "(the mail has no text" + ("; see the attachments)" if parsed.attachments else ")")
    message = tickets.ticket_reply(
        actor=_actor(sender, ticket.merchant_id),
        ticket=ticket,
        body=body,
        channel=Channel.EMAIL,
        now=now,
        as_merchant=True,
    )
    if flagged:
        tickets.ticket_record(
            ticket=ticket,
            event=events.unverified_sender(
                address=parsed.from_address, message_id=message.pk, why=why
            ),
            now=now,
        )
    tag = priority_tags(parsed.subject or "")
    if tag and _rank(tag) < _rank(ticket.priority):
        tickets.ticket_record(
            ticket=ticket,
            event=events.merchant_asks_priority(
                asked=tag, current=ticket.priority, message_id=message.pk
            ),
            now=now,
        )
    stored, refused = attachments.attachments_store(
        ticket=ticket, message=message, files=_uploads(parsed), now=now
    )
    return _Decision(Outcome.REPLY, "", ticket, message, refused, stored=stored)


def _record_received(
    row: InboundMail,
    parsed: ParsedMessage,
    ticket: Ticket,
    message: TicketMessage | None,
    refused: list[attachments.Refused],
    now: datetime,
    *,
    opened: bool,
) -> None:
    """Record the mail's Message-ID on its ticket (replies to it thread there) and, for a mail
    that opened the ticket, hand it to whoever answers (``listeners``; the notifications app
    decides whether to acknowledge it): the answer's Message-ID is recorded with ours."""
    own_id = None if row.message_id.startswith("sha256:") else row.message_id
    received = (
        []
        if own_id is None
        else [
            MessageId(
                message_id=own_id,
                ticket=ticket,
                ticket_message=message,
                outbound=False,
                created_at=now,
            )
        ]
    )
    answer = None
    if opened:
        answer = listeners.ticket_opened(
            listeners.Opened(
                ticket=ticket,
                sender=row.from_address,
                automatic=parsed.auto or "",
                message_id=own_id,
                references=[r for r in parsed.references if "\x00" not in r],
                refused=[f"{r.filename} ({r.reason})" for r in refused],
                inbound_key=row.message_id,
                now=now,
            )
        )
        row.acknowledged = answer is not None
    threads.record([(answer, ticket.pk)] if answer else [], now=now, received=received)


def mail_purge_raw(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Clear the raw bytes of mail older than ``MAIL_RAW_RETENTION_DAYS`` (quarantined mail is
    kept until staff settle it). The record of what became of it stays."""
    now = now or clock.now()
    before = now - timedelta(days=settings.MAIL_RAW_RETENTION_DAYS)
    ids = list(
        InboundMail.objects.filter(received_at__lt=before, raw__isnull=False)
        .exclude(status=Outcome.QUARANTINED)
        .values_list("pk", flat=True)[:limit]
    )
    with transaction.atomic():
        return InboundMail.objects.filter(pk__in=ids).update(raw=None)
