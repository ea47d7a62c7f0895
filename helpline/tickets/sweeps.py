"""The worker's sweeps over tickets: warnings and breaches at their true instants, due dates
that passed with the ticket open, resolved tickets that close by themselves. Each row goes
through the same ``TicketChange`` or ``ticket_close`` as any other change (events,
notifications). (Quotes that expire are billing's
sweep, ``billing.sweeps.quotes_expire``.)"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from helpline.core import clock
from helpline.core.errors import Conflict
from helpline.tickets.models import OPEN_STATUSES, Status, Ticket, TicketClock
from helpline.tickets.services.actions import ticket_close
from helpline.tickets.services.change import TicketChange


def clocks_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Record the escalation chain's warnings and the breaches whose instant has passed, at
    their true instants (``warn_at`` is each clock's next step: one indexed range)."""
    now = now or clock.now()
    due = (
        TicketClock.objects.filter(
            superseded_at__isnull=True, met_at__isnull=True, stopped_at__isnull=True
        )
        .filter(_due_filter(now))
        .values_list("ticket_id", flat=True)
        .distinct()[:limit]
    )
    count = 0
    for ticket_id in list(due):
        with transaction.atomic():
            change = TicketChange.lock(ticket_id, actor=None, now=now)
            change.record_due()  # a pending target is warned at its warning instant itself
            if change.events:
                change.save(touch_ticket=False)
                count += len(change.events)
    return count


def _due_filter(now: datetime) -> Q:
    return Q(breached_at__isnull=True, deadline__lte=now) | Q(warn_at__lte=now)


# The condition of the partial index ``ticket_due_unpassed``, as literals (constants of the
# Status enum only): SQLite uses a partial index only when the query states it with constants.
_OPEN = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)
DUE_UNPASSED = (
    '"tickets_ticket"."due_passed_at" IS NULL AND "tickets_ticket"."due_at" IS NOT NULL AND '
    f'"tickets_ticket"."needs_due_date_since" IS NULL AND "tickets_ticket"."status" IN ({_OPEN})'
)


def due_dates_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Open tickets whose due date has passed: a ``due_passed`` event each (the assignee and
    the team lead are told), stamped at the due date itself, once per due date."""
    now = now or clock.now()
    due = (
        Ticket.objects.extra(where=[DUE_UNPASSED])  # noqa: S610 - constants only
        .filter(due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for ticket_id in list(due):
        with transaction.atomic():
            change = TicketChange.lock(ticket_id, actor=None, now=now)  # records it
            if change.events:
                change.save(touch_ticket=False)
                count += 1
    return count


def tickets_autoclose(*, now: datetime | None = None, limit: int = 500) -> int:
    """Resolved tickets the merchant left unanswered for ``TICKET_AUTOCLOSE_DAYS`` are closed by
    the system (a merchant message would have reopened them), at the instant that fell due."""
    now = now or clock.now()
    after = timedelta(days=settings.TICKET_AUTOCLOSE_DAYS)
    due = Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lte=now - after)
    done = 0
    reason = f"closed automatically {settings.TICKET_AUTOCLOSE_DAYS} days after resolution"
    for ticket in list(due.order_by("resolved_at")[:limit]):
        if ticket.resolved_at is None:  # the filter says it is not; for the type checker
            continue
        at = max(ticket.resolved_at + after, ticket.updated_at)
        try:
            ticket_close(actor=None, ticket=ticket, reason=reason, now=min(at, now))
        except Conflict:  # reopened or closed meanwhile
            continue
        done += 1
    return done
