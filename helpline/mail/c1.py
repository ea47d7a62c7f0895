"""A C1 is never swallowed (docs/policy.md, Channels): a mail asking for C1 whose sender nobody
vouches for — quarantined, or opened as an unverified sender's ticket (at C3, with a "merchant
asks for C1" event) — pages the on-call through ``listeners.unverified_c1``, at most once an
hour per sender domain, so 50 forged mails from one domain page once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from helpline.mail import listeners
from helpline.mail import selectors as mail_selectors
from helpline.mail.models import InboundMail, Outcome
from helpline.mail.subject import priority_tags
from helpline.tickets.models import Ticket

PAGE_EVERY = timedelta(hours=1)


def asks_c1(subject: str) -> bool:
    return priority_tags(subject or "") == "C1"


def page_if_unverified(
    row: InboundMail, ticket: Ticket | None, *, unverified: bool, now: datetime
) -> bool:
    """Page for a quarantined C1 mail, or an unverified sender's; True when someone was paged
    (the row remembers it: the hourly limit per domain counts such rows)."""
    quarantined = row.status == Outcome.QUARANTINED
    if not asks_c1(row.subject) or not (quarantined or unverified) or "@" not in row.from_address:
        return False
    domain = row.from_address.rsplit("@", 1)[-1].lower()
    if mail_selectors.paged_since(domain, now - PAGE_EVERY):
        return False
    why = f"quarantined: {row.reason}" if quarantined else "unverified sender"
    return listeners.unverified_c1(
        listeners.UnverifiedC1(
            sender=row.from_address,
            subject=row.subject,
            why=why,
            ticket=ticket,
            inbound_key=row.message_id,
            now=now,
        )
    )
