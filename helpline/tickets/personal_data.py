"""A person's data on tickets (issue 21, decision 0183): what an export holds, what erasure
changes, and the retention of closed tickets' content. Called by ``helpline.privacy``.

- **Export**: the tickets they asked for (with every public message), every message they wrote
  anywhere, the files of those messages, their satisfaction ratings.
- **Erase**: on every ticket they asked for or wrote on, each of their identifiers (address,
  name, phone) in the subject, description, messages and rating comment becomes the pseudonym;
  the files of their messages are deleted (a file cannot be scrubbed); the ticket, its clocks
  and its events stay, and each ticket gets a ``personal_data_erased`` event.
- **Retention**: a ticket closed longer ago than the setting keeps its row, clocks and events
  (the reports) but loses its subject, description, messages' text and files
  (``retention_purged`` event, once).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from helpline.tickets import events as kinds
from helpline.tickets.models import Attachment, Status, Ticket, TicketEvent, TicketMessage
from helpline.tickets.services.change import lock_ticket, write_events

REMOVED = "[removed after the retention period]"
FILE_REMOVED = "(file removed: personal data erased)"


def _ticket(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.pk,
        "store_id": t.store_id,
        "subject": t.subject,
        "description": t.description,
        "status": t.status,
        "priority": t.priority,
        "issue_type": t.issue_type,
        "channel": t.channel,
        "created_at": t.created_at,
        "resolved_at": t.resolved_at,
        "closed_at": t.closed_at,
        "rating": t.rating,
        "rating_comment": t.rating_comment,
    }


def _message(m: TicketMessage) -> dict[str, Any]:
    return {
        "id": m.pk,
        "ticket_id": m.ticket_id,
        "by_this_person": None,
        "from_staff": m.from_staff,
        "kind": m.kind,
        "body": m.body,
        "channel": m.channel,
        "created_at": m.created_at,
    }


def export(*, user_id: int | None) -> dict[str, Any]:
    """Tickets, messages, ratings and the attachments (metadata and the stored file's name) of
    the person ``user_id``; an address with no account has no tickets of its own here (their
    mail is in ``mail.personal_data``)."""
    if user_id is None:
        return {"tickets": [], "messages": [], "attachments": [], "ratings": []}
    tickets = list(Ticket.objects.filter(requester_id=user_id).order_by("pk"))
    mine = Q(author_id=user_id) | Q(ticket__requester_id=user_id, internal=False)
    messages = []
    for m in TicketMessage.objects.filter(mine).order_by("pk"):
        row = _message(m)
        row["by_this_person"] = m.author_id == user_id
        messages.append(row)
    files = Attachment.objects.filter(
        Q(message__author_id=user_id) | Q(message__isnull=True, ticket__requester_id=user_id)
    ).order_by("pk")
    return {
        "tickets": [_ticket(t) for t in tickets],
        "messages": messages,
        "attachments": [
            {
                "id": a.pk,
                "ticket_id": a.ticket_id,
                "message_id": a.message_id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "path": a.file.name if a.file else "",
            }
            for a in files
        ],
        "ratings": [
            {"ticket_id": t.pk, "rating": t.rating, "comment": t.rating_comment}
            for t in tickets
            if t.rating is not None or t.rating_comment
        ],
    }


def scrubber(identifiers: Iterable[str], pseudonym: str) -> Callable[[str], str]:
    """A function replacing each identifier (case-insensitive; names as whole words) by the
    pseudonym."""
    words = sorted({i.strip() for i in identifiers if len(i.strip()) >= 3}, key=len, reverse=True)
    if not words:
        return lambda text: text
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words), flags=re.IGNORECASE
    )
    return lambda text: pattern.sub(pseudonym, text) if text else text


def _remove_file(attachment: Attachment, filename: str) -> None:
    if attachment.file:
        attachment.file.delete(save=False)
    attachment.filename = filename
    attachment.save(update_fields=["file", "filename"])


def erase(
    *,
    user_id: int,
    scrub: Callable[[str], str],
    pseudonym: str,
    actor: Any,
    now: datetime,
) -> int:
    """Replace the person's identifiers by ``pseudonym`` on their tickets (``scrub``, from
    ``scrubber``); how many tickets."""
    ids = set(Ticket.objects.filter(requester_id=user_id).values_list("pk", flat=True))
    ids |= set(TicketMessage.objects.filter(author_id=user_id).values_list("ticket_id", flat=True))
    for ticket_id in sorted(ids):
        with transaction.atomic():
            ticket = lock_ticket(ticket_id)
            for name in ("subject", "description", "rating_comment"):
                setattr(
                    ticket, name, scrub(getattr(ticket, name))[: 200 if name == "subject" else None]
                )
            ticket.save(update_fields=["subject", "description", "rating_comment"])
            changed = 0
            for m in TicketMessage.objects.filter(ticket_id=ticket_id):
                body = scrub(m.body)
                if body != m.body:
                    m.body = body
                    m.save(update_fields=["body"])
                    changed += 1
            files = list(Attachment.objects.filter(ticket_id=ticket_id, message__author_id=user_id))
            for a in files:
                _remove_file(a, FILE_REMOVED)
            spec = kinds.personal_data_erased(
                pseudonym=pseudonym, messages=changed, attachments=len(files)
            )
            spec.at = now
            write_events(ticket, actor, [spec])
    return len(ids)


def retention_purge(*, closed_before: datetime, now: datetime, limit: int = 200) -> int:
    """Remove the content of tickets closed before ``closed_before`` (once each); how many."""
    done = TicketEvent.objects.filter(
        ticket_id=OuterRef("pk"), kind=kinds.EventKind.RETENTION_PURGED
    )
    due = list(
        Ticket.objects.filter(status=Status.CLOSED, closed_at__lt=closed_before)
        .exclude(Exists(done))
        .order_by("closed_at")
        .values_list("pk", flat=True)[:limit]
    )
    for ticket_id in due:
        with transaction.atomic():
            ticket = lock_ticket(ticket_id)
            ticket.subject, ticket.description, ticket.rating_comment = REMOVED, REMOVED, ""
            ticket.save(update_fields=["subject", "description", "rating_comment"])
            count = TicketMessage.objects.filter(ticket_id=ticket_id).update(body=REMOVED)
            files = list(Attachment.objects.filter(ticket_id=ticket_id))
            for a in files:
                _remove_file(a, "(file removed after the retention period)")
            spec = kinds.retention_purged(
                closed_at=ticket.closed_at or now, messages=count, attachments=len(files)
            )
            spec.at = now
            write_events(ticket, None, [spec])
    return len(due)
