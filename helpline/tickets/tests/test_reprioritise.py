"""Re-prioritising never buys time (docs/policy.md, "Clocks on a ticket"; decision 0090).

The first four tests are the auditor's findings (issue 16, item 1): each fails on the code that
restarted every pending target from the change instant.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.tickets import services, sweeps
from helpline.tickets.models import Ticket, TicketClock, TicketEvent

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def ist(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant of December 2026 (Monday 7 … Friday 11; Christmas is a holiday)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=IST)


def clock(ticket: Ticket, kind: str) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind=kind, superseded_at__isnull=True)


def change(cast, ticket: Ticket, at: datetime, **fields: Any) -> None:
    services.ticket_update(actor=cast.ravi, ticket=ticket, reason="triage", now=at, **fields)


def instant(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def moved(ticket: Ticket) -> list[tuple[str, str, datetime | None, datetime | None]]:
    found = []
    for e in TicketEvent.objects.filter(ticket=ticket, kind="sla_restarted").order_by("pk"):
        before, after = e.before or {}, e.after or {}
        found.append(
            (
                after["target"],
                after["rule"],
                instant(before["deadline"]),
                instant(after["deadline"]),
            )
        )
    return found


def ask(cast, ticket: Ticket, at: datetime) -> None:
    services.ticket_start(actor=cast.ravi, ticket=ticket, now=at)
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="Which?", question=True, now=at)


# ---------------------------------------------------------------- the auditor's findings


def test_an_issue_type_change_at_1755_leaves_the_first_response_at_1800(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))  # C3: first response Mon 18:00, resolution Fri 18:00
    change(cast, ticket, ist(7, 17, 55), issue_type="app-submission")
    first = clock(ticket, "first_response")
    assert (first.priority, first.deadline) == ("C3", ist(7, 18))
    # app-submission lengthens the C3 resolution (64 h): laid out from Monday 10:00.
    assert clock(ticket, "resolution").deadline == ist(16, 18)
    assert moved(ticket) == [("resolution", "lowered", ist(11, 18), ist(16, 18))]


def test_c3_to_c4_to_c3_a_minute_apart_moves_nothing(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))
    change(cast, ticket, ist(8, 11), priority="C4")
    change(cast, ticket, ist(8, 11, 1), priority="C3")
    assert clock(ticket, "first_response").deadline == ist(7, 18)  # breached Monday 18:00
    resolution = clock(ticket, "resolution")
    assert (resolution.priority, resolution.deadline) == ("C3", ist(11, 18))
    assert resolution.breached_at is None


def test_a_store_down_c1_lowered_to_c3_keeps_a_resolution_target(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10), issue_type="store-down")  # C1: resolution 60 min
    assert clock(ticket, "resolution").deadline == ist(7, 11)
    change(cast, ticket, ist(7, 11, 30), priority="C3")
    c1 = TicketClock.objects.get(ticket=ticket, kind="resolution", priority="C1")
    assert (c1.state, c1.breached_at) == ("breached", ist(7, 11))  # on record
    resolution = clock(ticket, "resolution")
    assert (resolution.priority, resolution.state) == ("C3", "running")
    assert resolution.deadline == ist(11, 18)  # as if filed at C3 on Monday 10:00


def test_a_breached_c3_raised_to_c1_gets_a_running_c1_target(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))
    change(cast, ticket, ist(8, 11), priority="C1")
    c3 = TicketClock.objects.get(ticket=ticket, kind="first_response", priority="C3")
    assert (c3.state, c3.breached_at) == ("breached", ist(7, 18))
    first = clock(ticket, "first_response")
    assert (first.priority, first.state, first.deadline) == ("C1", "running", ist(8, 13))
    # The resolution had not breached: the earlier of Friday 18:00 and 11:00 + 6 h.
    assert clock(ticket, "resolution").deadline == ist(8, 17)
    assert moved(ticket) == [
        ("first_response", "restarted", ist(7, 18), ist(8, 13)),
        ("resolution", "raised", ist(11, 18), ist(8, 17)),
    ]


# ---------------------------------------------------------------- the rules around them


def test_lowering_past_the_lower_targets_deadline_breaches_at_its_true_instant(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10), priority="C1")  # first response 12:00
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="On it", now=ist(7, 11))
    change(cast, ticket, ist(8, 12), priority="C2")  # C2's 24 business hours: Wed 10:00
    assert clock(ticket, "resolution").deadline == ist(9, 18)  # Mon 10:00 + 24 h of business
    change(cast, ticket, ist(10, 9), priority="C3")
    resolution = clock(ticket, "resolution")
    assert resolution.deadline == ist(11, 18)
    change(cast, ticket, ist(10, 10), priority="C2")
    # Back to C2: never later than the C2 deadline it had (Wed 18:00, passed): breached then.
    resolution = clock(ticket, "resolution")
    assert (resolution.state, resolution.breached_at) == ("breached", ist(9, 18))
    breach = TicketEvent.objects.filter(ticket=ticket, kind="sla_breached").latest("pk")
    assert breach.created_at == ist(9, 18)


def test_a_round_trip_after_a_pause_ends_where_the_first_deadline_was_net_of_the_pause(
    cast,
) -> None:
    ticket = cast.ticket(at=ist(7, 10))  # resolution Fri 18:00
    ask(cast, ticket, ist(7, 12))
    services.ticket_reply(actor=cast.alice, ticket=ticket, body="Dawn", now=ist(8, 12))
    assert clock(ticket, "resolution").deadline == ist(14, 18)  # one business day paused
    change(cast, ticket, ist(8, 13), priority="C4")
    change(cast, ticket, ist(9, 13), priority="C3")
    assert clock(ticket, "resolution").deadline == ist(14, 18)


def test_a_change_while_paused_keeps_the_target_paused_with_the_time_it_used(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))
    ask(cast, ticket, ist(7, 12))
    change(cast, ticket, ist(8, 12), priority="C1")
    resolution = clock(ticket, "resolution")
    # Paused: no deadline. Raised: the change + C1's 6 h, the change counted as if the ticket
    # resumed then — 6 h remain, whenever it resumes. The 2 h used before the pause stay used.
    assert (resolution.priority, resolution.state, resolution.deadline) == ("C1", "paused", None)
    assert resolution.consumed == timedelta(hours=2)
    services.ticket_reply(actor=cast.alice, ticket=ticket, body="Dawn", now=ist(9, 10))
    assert clock(ticket, "resolution").deadline == ist(9, 16)


def test_a_reopened_ticket_counts_the_resolved_interval_as_a_pause(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))
    services.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Fixed", now=ist(7, 12))
    services.ticket_reopen(actor=cast.alice, ticket=ticket, reason="still broken", now=ist(8, 12))
    assert clock(ticket, "resolution").deadline == ist(14, 18)
    change(cast, ticket, ist(8, 13), priority="C4")
    assert clock(ticket, "resolution").deadline == ist(21, 18)  # 80 h net of the day resolved


def test_no_target_changed_writes_no_event(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10), issue_type="store-down")
    change(cast, ticket, ist(7, 10, 5), issue_type="transactions-failing", priority="C1")
    before = moved(ticket)
    assert [m[0] for m in before] == ["first_response", "resolution"]  # 15/60 min → 2 h/6 h
    change(cast, ticket, ist(7, 10, 6), issue_type="functionality", priority="C1")
    assert moved(ticket) == before


def test_a_round_trip_does_not_warn_twice(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))  # first response: steps at 14:00 and 16:00, due 18:00
    sweeps.clocks_sweep(now=ist(7, 16, 30))
    warned = TicketEvent.objects.filter(ticket=ticket, kind="sla_warning").count()
    assert warned == 2  # both steps of the chain (50 %, 75 %) passed before the round trip
    change(cast, ticket, ist(7, 16, 40), priority="C4")
    change(cast, ticket, ist(7, 16, 41), priority="C3")
    first = clock(ticket, "first_response")
    assert (first.deadline, first.warn_at) == (ist(7, 18), None)
    sweeps.clocks_sweep(now=ist(7, 17))
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_warning").count() == warned


def test_a_raised_target_warns_at_each_step_counted_back_from_its_deadline(cast) -> None:
    ticket = cast.ticket(at=ist(7, 10))
    change(cast, ticket, ist(7, 11), priority="C2")
    first = clock(ticket, "first_response")
    # The earlier of 18:00 and 11:00 + C2's 4 h: 15:00; the chain's 50 % step 2 h before it,
    # then its 75 % step 1 h before it.
    assert (first.deadline, first.warn_at) == (ist(7, 15), ist(7, 13))
    sweeps.clocks_sweep(now=ist(7, 13))
    first = clock(ticket, "first_response")
    assert first.warn_at == ist(7, 14)
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="Hi", now=ist(7, 14))
    warnings = TicketEvent.objects.filter(ticket=ticket, kind="sla_warning")
    assert [(e.after or {}).get("percent") for e in warnings] == [50]
