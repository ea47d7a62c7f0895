"""Holiday edits (holiday rows are not versioned, docs/policy.md): the row changes and every
pending, running target on that calendar is laid out again, with an event per ticket — one
service per action, called by the admin (and later by any other door)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from helpline.core import clock
from helpline.sla import services as sla_services
from helpline.tickets import clocks
from helpline.tickets import events as kinds
from helpline.tickets.events import EventSpec
from helpline.tickets.models import Ticket, TicketClock
from helpline.tickets.services.change import write_events


def _recompute_running(*, calendar_slug: str, now: datetime, reason: str) -> int:
    """Lay out again the pending, running targets on ``calendar_slug``; an event per change."""
    ids = (
        TicketClock.objects.filter(
            calendar=calendar_slug,
            superseded_at__isnull=True,
            met_at__isnull=True,
            stopped_at__isnull=True,
            breached_at__isnull=True,
            segment_started_at__isnull=False,
        )
        .values_list("ticket_id", flat=True)
        .distinct()
    )
    changed = 0
    for ticket_id in list(ids):
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        events: list[EventSpec] = []
        for clk in TicketClock.objects.select_for_update().filter(
            ticket=ticket, calendar=calendar_slug, superseded_at__isnull=True
        ):
            if not (clocks.is_pending(clk) and clocks.is_running(clk)):
                continue
            before = clk.deadline
            clocks.relayout(ticket, clk)
            if clk.deadline != before:
                clk.save(update_fields=clocks.CLOCK_FIELDS)
                events.append(
                    kinds.sla_recomputed(
                        target=clk.kind, before=before, deadline=clk.deadline, reason=reason, at=now
                    )
                )
        if events:
            write_events(ticket, None, events)
            changed += 1
    return changed


def holiday_add(*, calendar: Any, day: Any, name: str, now: datetime | None = None) -> int:
    """Add a holiday row; pending deadlines on that calendar are laid out again. Returns the
    number of tickets whose deadlines moved."""
    now = now or clock.now()
    with transaction.atomic():
        sla_services.holiday_row_set(calendar=calendar, day=day, name=name, now=now)
        return _recompute_running(
            calendar_slug=calendar.slug, now=now, reason=f"holiday added: {day} {name}"
        )


def holiday_remove(*, calendar: Any, day: Any, now: datetime | None = None) -> int:
    now = now or clock.now()
    with transaction.atomic():
        sla_services.holiday_row_remove(calendar=calendar, day=day, now=now)
        return _recompute_running(
            calendar_slug=calendar.slug, now=now, reason=f"holiday removed: {day}"
        )
