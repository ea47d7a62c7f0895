"""Who else has a ticket open in the console, and who is writing on it (decision 0214).

The ticket page reports every few seconds (htmx) that its reader is viewing it, or replying
once the message box has text; the answer is the others seen within STALE. Nothing here is a
change to the ticket (no event): it is the console's own short-lived state, one row per
(ticket, person), overwritten in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from helpline.accounts.models import User
from helpline.tickets.models import Ticket
from helpline.web.models import TicketPresence

STALE = timedelta(seconds=30)
# Rows older than this are deleted by the next report (any ticket's): the table holds only
# the last hour's readers, however many tickets were ever opened.
KEPT = timedelta(hours=1)
EVERY_SECONDS = 10  # the page's refresh (console/ticket.html)


@dataclass(frozen=True)
class Present:
    name: str
    replying: bool
    seen_at: datetime


def presence_touch(*, user: User, ticket: Ticket, replying: bool, now: datetime) -> None:
    """``user`` has ``ticket`` open now, writing on it or not."""
    state = TicketPresence.State.REPLYING if replying else TicketPresence.State.VIEWING
    TicketPresence.objects.filter(seen_at__lt=now - KEPT).delete()
    mine = TicketPresence.objects.filter(ticket=ticket, user=user)
    if mine.update(state=state, seen_at=now):  # every report after the first: one UPDATE
        return
    try:
        with transaction.atomic():
            TicketPresence.objects.create(ticket=ticket, user=user, state=state, seen_at=now)
    except IntegrityError:  # the same person's other tab came first
        mine.update(state=state, seen_at=now)


def presence_others(*, user: User, ticket: Ticket, now: datetime) -> list[Present]:
    """The others who had ``ticket`` open within STALE, those replying first."""
    rows = (
        TicketPresence.objects.filter(ticket=ticket, seen_at__gte=now - STALE)
        .exclude(user=user)
        .select_related("user")
        .order_by("state", "user__first_name", "user_id")  # "replying" sorts before "viewing"
    )
    return [
        Present(
            name=r.user.first_name or r.user.email,
            replying=r.state == TicketPresence.State.REPLYING,
            seen_at=r.seen_at,
        )
        for r in rows
    ]
