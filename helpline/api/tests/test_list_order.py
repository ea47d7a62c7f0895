"""``GET /api/v1/tickets?order=due``: the nearest pending deadline first, page by page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from helpline.conftest import T0, Api, Cast
from helpline.tickets import services
from helpline.tickets.models import Ticket, TicketClock
from helpline.tickets.selectors import encode_cursor

pytestmark = pytest.mark.django_db

NOW = T0 + timedelta(hours=1)


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _next_due(ticket: Ticket) -> Any:
    pending = TicketClock.objects.filter(
        ticket=ticket,
        superseded_at__isnull=True,
        met_at__isnull=True,
        stopped_at__isnull=True,
        deadline__isnull=False,
    ).order_by("deadline")
    first = pending.first()
    return first.deadline if first else None


def _walk(api: Api, limit: int, **params: Any) -> list[int]:
    """Every page of the list in the due order, following ``next``."""
    seen: list[int] = []
    cursor = None
    for _ in range(200):  # a cursor that loops fails the test instead of hanging it
        extra: dict[str, Any] = {"cursor": cursor} if cursor else {}
        response = api.get("tickets", order="due", limit=limit, **params, **extra)
        assert response.status_code == 200, response.content
        seen += [item["id"] for item in response.json_body["items"]]
        cursor = response.json_body["next"]
        if not cursor:
            return seen
    raise AssertionError(f"still paging after 200 pages: {seen[:20]} …")


def test_the_nearest_deadline_comes_first_and_tickets_without_one_last(cast: Cast) -> None:
    minor = cast.ticket(
        subject="Typo on the about page", description="Something is wrong.", issue_type="minor"
    )
    down = cast.ticket(
        subject="Store down",
        description="Something is wrong.",
        issue_type="store-down",
        at=T0 + timedelta(minutes=1),
    )
    broken = cast.ticket(
        subject="Checkout broken",
        description="Something is wrong.",
        issue_type="functionality",
        at=T0 + timedelta(minutes=2),
    )
    twins = [
        cast.ticket(
            subject=f"Same instant {n}",
            description="Something is wrong.",
            issue_type="functionality",
            at=T0 + timedelta(minutes=2),
        )
        for n in range(3)
    ]
    done = cast.ticket(
        subject="Already solved",
        description="Something is wrong.",
        issue_type="functionality",
        at=T0 + timedelta(minutes=3),
    )
    services.ticket_resolve(actor=cast.ravi, ticket=done, message="Fixed.", now=NOW)
    tickets = [minor, down, broken, *twins, done]
    want = sorted(
        tickets,
        key=lambda t: (_next_due(t) is None, _next_due(t) or NOW, t.pk),
    )
    assert want[0] == down  # C1: two hours, day or night
    assert _next_due(done) is None and want[-1] == done
    assert len({_next_due(t) for t in [broken, *twins]}) == 1  # a tie, broken by id
    api = cast.api("ravi")
    for limit in (1, 2, 3, 50):  # a cursor on every boundary: within the tie, at the end
        assert _walk(api, limit) == [t.pk for t in want]
    # Filters apply as in the newest-first order.
    assert _walk(api, 2, status=["new"]) == [t.pk for t in want if t != done]


def test_a_merchant_sees_only_their_tickets_in_this_order_too(cast: Cast) -> None:
    mine = cast.ticket(
        subject="Store down", description="Something is wrong.", issue_type="store-down"
    )
    cast.ticket(
        who="bob",
        subject="Bolt's outage",
        description="Something is wrong.",
        issue_type="store-down",
    )
    assert _walk(cast.api("alice"), 1) == [mine.pk]


def test_bad_orders_and_cursors_are_clear_errors(cast: Cast) -> None:
    ticket = cast.ticket(
        subject="Store down", description="Something is wrong.", issue_type="store-down"
    )
    api = cast.api("ravi")
    wrong_order = api.get("tickets", order="oldest")
    assert wrong_order.status_code == 422
    newest_cursor = api.get("tickets", order="due", cursor=encode_cursor(ticket.pk))
    assert newest_cursor.status_code == 422
    assert newest_cursor.json_body["code"] == "invalid_cursor"
    garbled = api.get("tickets", order="due", cursor="not-a-cursor")
    assert garbled.status_code == 422 and garbled.json_body["code"] == "invalid_cursor"


def test_a_closed_ticket_with_a_running_clock_is_listed_once(cast: Cast) -> None:
    """A row the services would not leave (a closed ticket whose clock still runs, say from an
    import) sorts with the closed ones; the cursor after it stays in that part of the list."""
    tickets = [
        cast.ticket(
            subject=f"Ticket {n}",
            description="Something is wrong.",
            issue_type="functionality",
            at=T0 + timedelta(minutes=n),
        )
        for n in range(5)
    ]
    odd, closed = tickets[0], tickets[-1]
    Ticket.objects.filter(pk__in=[odd.pk, closed.pk]).update(status="closed")
    TicketClock.objects.filter(ticket=closed).update(stopped_at=NOW)
    assert _next_due(odd) is not None and _next_due(closed) is None
    api = cast.api("ravi")
    for limit in (1, 2, 3, 4):
        seen = _walk(api, limit)
        assert len(seen) == len(set(seen)) == len(tickets), limit  # each once
        assert seen[-2:] == [odd.pk, closed.pk]  # the closed ones last, oldest first
