"""Reads of received mail: for the ticket pages, who wrote each mail and its HTML, sanitised;
for the acknowledgement, how often a sender was answered lately."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from helpline.accounts.models import User
from helpline.core.prepared import Prepared
from helpline.mail.models import InboundMail, Outcome
from helpline.mail.sanitise import sanitise
from helpline.tickets import access as ticket_access
from helpline.tickets.models import Ticket

DESCRIPTION = 0  # the key of the mail that opened the ticket (message ids start at 1)


@dataclass(frozen=True)
class MailView:
    from_address: str
    html: str  # sanitised; "" when the mail had no HTML part
    # Staff only (mail.senderauth): "pass: …", "fail: …"; "" when not checked or not staff.
    sender_check: str = ""


def ticket_mail(*, user: User | None, ticket: Ticket) -> dict[int, MailView]:
    """The mail behind a ticket's description (key 0) and behind each message (its id), for a
    ticket the caller loaded through its scope (checked again: nobody else gets anything)."""
    capacity = ticket_access.capacity(user, ticket)
    if capacity is None:
        return {}
    staff = capacity == "staff"
    rows = InboundMail.objects.filter(
        ticket_id=ticket.pk, status__in=[Outcome.TICKET, Outcome.REPLY]
    ).values_list(
        "status", "ticket_message_id", "from_address", "html", "sender_auth", "sender_auth_detail"
    )
    out: dict[int, MailView] = {}
    for status, message_id, address, html, result, detail in rows:
        key = DESCRIPTION if status == Outcome.TICKET else message_id
        if key is not None:
            check = f"{result}: {detail}" if staff and result else ""
            out[key] = MailView(from_address=address, html=sanitise(html), sender_check=check)
    return out


# Asked for every new mail ticket, hence a Prepared read.
_acknowledged_since: Prepared[str] = Prepared(
    lambda address, since: InboundMail.objects.filter(
        from_address=address, acknowledged=True, received_at__gte=since
    ).values_list("priority", flat=True),
    address=str,
    since=datetime,
)


def acknowledged_since(address: str, since: datetime, *, c1: bool = False) -> int:
    """How many mails from ``address`` received since ``since`` were acknowledged: those that
    opened a C1 (``c1``), or the others — each has its own cap."""
    # Acknowledged mail is capped, so this is a handful of rows at most.
    return sum(1 for p in _acknowledged_since(address=address, since=since) if (p == "C1") == c1)


def paged_since(domain: str, since: datetime) -> bool:
    """Whether an unverified C1 from ``domain`` paged the on-call since ``since`` (paged mail
    is one an hour a domain: the partial index on paged rows leaves a handful to look at)."""
    return InboundMail.objects.filter(
        paged=True, received_at__gte=since, from_address__iendswith=f"@{domain}"
    ).exists()


def ingest_counts() -> dict[str, int]:
    """How many mails were received, by outcome (``Outcome``: ticket, reply, duplicate,
    quarantined, …), every outcome present (0 when none); one grouped count on the
    ``inbound_status_id`` index. For the operator's metrics (``helpline.metrics``)."""
    found = dict(
        InboundMail.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {outcome.value: int(found.get(outcome.value, 0)) for outcome in Outcome}
