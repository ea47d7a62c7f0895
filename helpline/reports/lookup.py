"""Finding a ticket by what people type in a search box before any words: its reference
("HL-61", "#61", "61"), the requester's address, a store's name (decision 0212).

The answers come first on the search page (a reference opens the ticket at once); the
full-text search (reports.search) answers the rest. Every read is scoped by the same
``visible_tickets`` filter as every other: another merchant's ticket is not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from helpline.accounts.models import User
from helpline.core.validation import id_in_range
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import Ticket

REFERENCE = re.compile(r"^\s*(?:hl\s*-?\s*|#)?(\d{1,19})\s*$", re.IGNORECASE)
ADDRESS = re.compile(r"^\s*[^@\s]+@[^@\s]+\s*$")
LIMIT = 10


@dataclass
class Lookup:
    ticket: Ticket | None = None  # the ticket a reference names
    tickets: list[Ticket] = field(default_factory=list)  # by address or store, newest first
    by: str = ""  # "reference", "requester" or "store"


def lookup(*, user: User | None, query: str) -> Lookup:
    """What ``query`` names directly, among the tickets ``user`` may see."""
    scope = ticket_selectors.visible_tickets(user).select_related("store", "merchant")
    text = query.strip()
    if (match := REFERENCE.match(text)) is not None:
        number = int(match.group(1))
        found = scope.filter(pk=number).first() if id_in_range(number) else None
        return Lookup(ticket=found, tickets=[found] if found else [], by="reference")
    if ADDRESS.match(text):
        rows = scope.filter(requester__email__iexact=text).order_by("-pk")[:LIMIT]
        return Lookup(tickets=list(rows), by="requester")
    if 0 < len(text) <= 200:
        rows = scope.filter(store__name__iexact=text).order_by("-pk")[:LIMIT]
        return Lookup(tickets=list(rows), by="store" if rows else "")
    return Lookup()
