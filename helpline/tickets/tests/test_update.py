"""Staff change a ticket's priority and issue type (docs/policy.md, "Re-prioritising"): a change
needs a reason, and the value the ticket already has is no change at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.core.errors import InvalidInput
from helpline.outbox.models import Outbox
from helpline.tickets import services
from helpline.tickets.models import Ticket, TicketClock, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
OPENED = datetime(2026, 12, 7, 10, 0, tzinfo=IST)
TRIAGED = datetime(2026, 12, 7, 10, 30, tzinfo=IST)
LATER = datetime(2026, 12, 7, 11, 0, tzinfo=IST)


def written(ticket: Ticket) -> dict[str, Any]:
    """Everything a change of the ticket could write."""
    return {
        "row": Ticket.objects.filter(pk=ticket.pk).values().get(),
        "events": TicketEvent.objects.filter(ticket=ticket).count(),
        "clocks": list(TicketClock.objects.filter(ticket=ticket).order_by("pk").values()),
        "outbox": Outbox.objects.count(),
    }


@pytest.fixture
def triaged(cast: Any) -> Ticket:
    ticket = cast.ticket(at=OPENED)
    return cast.triage(ticket, team=cast.team, at=TRIAGED)


@pytest.mark.parametrize(
    "change", [{"priority": "C2"}, {"issue_type": "store-down"}, {"priority": "C4"}]
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_priority_or_issue_type_change_without_a_reason_is_refused(
    cast: Any, triaged: Ticket, change: dict[str, Any], reason: str
) -> None:
    before = written(triaged)
    with pytest.raises(InvalidInput) as refused:
        services.ticket_update(actor=cast.ravi, ticket=triaged, reason=reason, now=LATER, **change)
    assert refused.value.status == 422
    assert refused.value.code == "reason_required"
    assert refused.value.extra["field"] == "reason"
    assert written(triaged) == before


def test_triage_refuses_a_priority_change_without_a_reason_the_same_way(cast: Any) -> None:
    ticket = cast.ticket(at=OPENED)
    before = written(ticket)
    with pytest.raises(InvalidInput) as refused:
        cast.triage(ticket, priority="C2", at=TRIAGED)
    assert refused.value.code == "reason_required"
    assert refused.value.extra["field"] == "reason"
    assert written(ticket) == before


@pytest.mark.parametrize("reason", ["", "no change really"])
def test_the_value_the_ticket_already_has_is_no_change(
    cast: Any, triaged: Ticket, reason: str
) -> None:
    before = written(triaged)
    services.ticket_update(
        actor=cast.ravi,
        ticket=triaged,
        priority=triaged.priority,
        issue_type=triaged.issue_type,
        reason=reason,
        now=LATER,
    )
    assert written(triaged) == before


def test_a_priority_change_with_a_reason_moves_the_targets(cast: Any, triaged: Ticket) -> None:
    services.ticket_update(
        actor=cast.ravi, ticket=triaged, priority="C2", reason="checkout affected", now=LATER
    )
    triaged.refresh_from_db()
    assert triaged.priority == "C2" and triaged.updated_at == LATER
    event = TicketEvent.objects.get(ticket=triaged, kind="priority")
    assert event.reason == "checkout affected"
    assert TicketEvent.objects.filter(ticket=triaged, kind="sla_restarted").exists()
