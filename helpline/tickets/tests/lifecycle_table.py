"""The check the lifecycle table's tests share (tickets' own actions and billing's quote
actions): an action allowed from a status moves the ticket to the table's target and writes its
events; refused, it answers 409 naming what is allowed and writes nothing; taken by the other
role, 403 and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpline.core.errors import Forbidden, TransitionRefused
from helpline.tickets import lifecycle
from helpline.tickets.models import Ticket, TicketClock, TicketEvent, TicketMessage

Take = Callable[[], object]  # the action, with its actor, ticket, instant and fields bound


def ticket_snapshot(ticket: Ticket) -> tuple[Any, ...]:
    """Everything an action on the ticket could write."""
    row = Ticket.objects.values().get(pk=ticket.pk)
    clocks = list(TicketClock.objects.filter(ticket=ticket).order_by("pk").values())
    return (
        row,
        clocks,
        TicketEvent.objects.filter(ticket=ticket).count(),
        TicketMessage.objects.filter(ticket=ticket).count(),
    )


def check_table_row(
    *,
    ticket: Ticket,
    take: Take,
    row: tuple[set[str], str | None, str],
    status: str,
    snapshot: Callable[[Ticket], Any] = ticket_snapshot,
) -> None:
    """``row`` is the table's (from-states, to-state or None, who); the ticket is in
    ``status``."""
    sources, target, who = row
    before = snapshot(ticket)
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    if status in sources:
        take()
        ticket.refresh_from_db()
        assert ticket.status == (target if target is not None else status)
        new_kinds = list(
            TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("kind", flat=True)
        )[events_before:]
        assert new_kinds, "an allowed transition writes its event"
        if target is not None and target != status:
            assert "status" in new_kinds
    else:
        with pytest.raises(TransitionRefused) as refused:
            take()
        assert refused.value.status == 409
        assert refused.value.extra["allowed"] == lifecycle.allowed_actions(who, status, "C1")
        assert snapshot(ticket) == before, "a refused transition writes nothing"


def check_other_role_refused(
    *, ticket: Ticket, take: Take, snapshot: Callable[[Ticket], Any] = ticket_snapshot
) -> None:
    before = snapshot(ticket)
    with pytest.raises(Forbidden):
        take()
    assert snapshot(ticket) == before
