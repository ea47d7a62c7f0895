"""Mail threading helpers: our Message-IDs, the mail that opened a ticket, the headers that
thread a reply on it. The notifications app decides which mail goes out (and writes it to the
outbox); it calls these so that a reply to any of our mail joins its ticket.

Every Message-ID we put on a mail about a ticket is ours (``hl.<random>@<our domain>``, 144
random bits) and recorded in ``MessageId`` before the mail leaves, so a reply quoting it joins
the ticket (trusted: nobody can guess one).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings

from helpline.core.prepared import insert
from helpline.mail.models import InboundMail, MessageId, Outcome


def _domain() -> str:
    return parseaddr(settings.SUPPORT_ADDRESS)[1].rsplit("@", 1)[-1].lower() or "helpline.invalid"


def new_message_id() -> str:
    """One of ours, without <>: unguessable, so a reply quoting it is trusted."""
    return f"hl.{secrets.token_urlsafe(18)}@{_domain()}"


def bracket(ids: Sequence[str | None]) -> str:
    """``References``/``In-Reply-To``: each id once, in <>, in order; empty ones left out."""
    return " ".join(f"<{i}>" for i in dict.fromkeys(i for i in ids if i))


def record(
    ids: Sequence[tuple[str, int]], *, now: datetime, received: Sequence[MessageId] = ()
) -> None:
    """Our Message-IDs (and ``received`` ones the caller has to record too: one INSERT)."""
    insert(
        [
            *received,
            *(
                MessageId(
                    message_id=mid.strip("<>"), ticket_id=ticket_id, outbound=True, created_at=now
                )
                for mid, ticket_id in ids
            ),
        ],
        ignore_conflicts=True,
    )


@dataclass(frozen=True)
class Root:
    """The mail that opened a ticket: who sent it and its Message-ID ("" when it had none)."""

    address: str
    message_id: str


def root(ticket_id: int) -> Root | None:
    row = (
        InboundMail.objects.filter(ticket_id=ticket_id, status=Outcome.TICKET)
        .order_by("pk")
        .values_list("from_address", "message_id")
        .first()
    )
    if row is None:
        return None
    address, message_id = row
    return Root(address, "" if message_id.startswith("sha256:") else message_id)
