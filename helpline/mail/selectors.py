"""Reads of received mail for the ticket pages: who wrote each mail and its HTML, sanitised."""

from __future__ import annotations

from dataclasses import dataclass

from helpline.accounts.models import User
from helpline.mail.models import InboundMail, Outcome
from helpline.mail.sanitise import sanitise
from helpline.tickets import access as ticket_access
from helpline.tickets.models import Ticket

DESCRIPTION = 0  # the key of the mail that opened the ticket (message ids start at 1)


@dataclass(frozen=True)
class MailView:
    from_address: str
    html: str  # sanitised; "" when the mail had no HTML part


def ticket_mail(*, user: User | None, ticket: Ticket) -> dict[int, MailView]:
    """The mail behind a ticket's description (key 0) and behind each message (its id), for a
    ticket the caller loaded through its scope (checked again: nobody else gets anything)."""
    if ticket_access.capacity(user, ticket) is None:
        return {}
    rows = InboundMail.objects.filter(
        ticket_id=ticket.pk, status__in=[Outcome.TICKET, Outcome.REPLY]
    ).values_list("status", "ticket_message_id", "from_address", "html")
    out: dict[int, MailView] = {}
    for status, message_id, address, html in rows:
        key = DESCRIPTION if status == Outcome.TICKET else message_id
        if key is not None:
            out[key] = MailView(from_address=address, html=sanitise(html))
    return out
