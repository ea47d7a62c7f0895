"""What the assignment decision reads from the database, and the queues' sweep: the team's
candidates (one query compiled once, leave LEFT JOINed, only the shifts near the instant) agree
with every shift and leave day across midnight and zones; tickets that waited for want of
anyone are placed once someone qualifies (decisions 0133, 0135)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.accounts import services as accounts
from helpline.conftest import T0
from helpline.routing import assignment, selectors
from helpline.routing.models import AgentProfile, Leave, Shift
from helpline.routing.shifts import Span, covers, on_leave
from helpline.routing.tests.conftest import profile
from helpline.tickets import services as tickets
from helpline.tickets.events import EventKind
from helpline.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
ZONES = ["Pacific/Kiritimati", "Asia/Kolkata", "UTC", "America/Los_Angeles", "Pacific/Pago_Pago"]


def test_the_candidates_read_agree_with_every_shift_and_leave_day_across_midnight_and_zones(
    cast,
) -> None:
    people = []
    for n, name in enumerate(ZONES):
        user = accounts.user_create(email=f"z{n}@helpline.test", role="agent")
        user.time_zone = name
        user.save(update_fields=["time_zone"])
        cast.team.members.add(user)
        # Overlapping shifts, one of them past midnight, on two different days of the week.
        profile(
            user,
            shifts=[
                (n % 7, time(22), time(6)),
                (n % 7, time(20), time(23, 30)),
                ((n + 3) % 7, time(9), time(17)),
            ],
        )
        Leave.objects.create(
            user=user, starts_on=date(2026, 12, 2 + n), ends_on=date(2026, 12, 2 + n)
        )
        people.append(user)
    start = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    for step in range(0, 14 * 24 * 4, 7):  # every 1 h 45 min for two weeks
        at = start + step * timedelta(minutes=15)
        found = {c.user_id: c for c in selectors.team_candidates(cast.team.pk, at)}
        for user in people:
            zone = ZoneInfo(user.time_zone)
            spans = [Span(s.weekday, s.start, s.end) for s in Shift.objects.filter(user=user)]
            truly = any(covers(s, zone, at) for s in spans)
            cand = found.get(user.pk)
            seen = cand is not None and any(covers(s, zone, at) for s in cand.shifts)
            assert seen == truly, (user.time_zone, at)
            if cand is not None:
                leave = [(row.starts_on, row.ends_on) for row in Leave.objects.filter(user=user)]
                away = any(a <= at.astimezone(zone).date() <= b for a, b in leave)
                assert on_leave(cand.leave, zone, at) == away, (user.time_zone, at)


def test_the_decision_reads_once_whatever_the_team_size(cast) -> None:
    from helpline.routing.models import TeamRoute

    TeamRoute.objects.create(team=cast.team, issue_type="")
    ticket = cast.ticket(at=T0)
    counts = []
    for n in range(0, 30, 10):
        for i in range(10):
            user = accounts.user_create(email=f"m{n + i}@helpline.test", role="agent")
            cast.team.members.add(user)
            profile(user)
        with CaptureQueriesContext(connection) as ctx:
            assignment.choose(ticket, now=T0 + H)
        counts.append(len(ctx.captured_queries))
    # The ticket's team and merchant in hand: the team's candidates with their loads (shifts,
    # profiles, leave and the kept open loads in one query; decision 0184).
    assert counts == [1, 1, 1], counts


def test_a_ticket_that_waited_is_placed_once_someone_is_on_shift_and_a_persons_choice_stays(
    cast,
) -> None:
    from helpline.routing.models import TeamRoute

    TeamRoute.objects.create(team=cast.team, issue_type="")
    # Ravi works Tuesdays 12:00–20:00 in his zone (IST); T0 is earlier that Tuesday.
    AgentProfile.objects.all().delete()
    cast.ravi.time_zone = "Asia/Kolkata"
    cast.ravi.save(update_fields=["time_zone"])
    local = T0.astimezone(ZoneInfo("Asia/Kolkata"))
    profile(cast.ravi, shifts=[(local.weekday(), time(local.hour + 2), time(local.hour + 4))])
    waiting = cast.ticket(at=T0)
    unassigned = cast.ticket(at=T0)
    for t in (waiting, unassigned):
        t.refresh_from_db()
        assert t.assignee_id is None
    # A person assigns one, then takes it back off: routing leaves that one alone.
    tickets.ticket_update(actor=cast.lena, ticket=unassigned, assignee=cast.ravi.pk, now=T0)
    tickets.ticket_update(actor=cast.lena, ticket=unassigned, assignee=None, now=T0)
    assert assignment.queue_sweep(now=T0 + H) == 0  # still nobody on shift: nothing written
    assert TicketEvent.objects.filter(ticket=waiting, kind=EventKind.UNROUTED).count() == 1
    assert assignment.queue_sweep(now=T0 + 2 * H + timedelta(minutes=5)) == 1
    waiting.refresh_from_db()
    unassigned.refresh_from_db()
    assert (waiting.assignee_id, unassigned.assignee_id) == (cast.ravi.pk, None)
    reason = TicketEvent.objects.filter(ticket=waiting, kind=EventKind.ASSIGNEE).get().reason
    assert reason == "auto: least loaded of 1 on shift with functionality (waited in the queue)"
    assert assignment.queue_sweep(now=T0 + 3 * H) == 0  # placed once


def test_a_prepared_read_takes_dates_as_the_orm_does(cast) -> None:
    from helpline.core.prepared import Prepared

    def build(first: date, last: date) -> Any:
        return (
            Leave.objects.filter(starts_on__lte=last, ends_on__gte=first)
            .order_by("starts_on")
            .values_list("user_id", "starts_on")
        )

    for n in range(3):
        Leave.objects.create(
            user=cast.ravi, starts_on=date(2026, 12, 1 + 3 * n), ends_on=date(2026, 12, 2 + 3 * n)
        )
    read: Prepared[tuple[int, date]] = Prepared(build, first=date, last=date)
    for first, last in [
        (date(2026, 12, 2), date(2026, 12, 4)),
        (date(2026, 11, 1), date(2027, 1, 1)),
    ]:
        assert read(first=first, last=last) == list(build(first, last))
    with pytest.raises(TypeError):
        read(first=datetime(2026, 12, 2, tzinfo=UTC), last=date(2026, 12, 4))
