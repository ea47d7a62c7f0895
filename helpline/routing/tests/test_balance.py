"""Evening out a team's loads (``routing.balance``, decision 0185): the pure plan, and the
worker's step moving only tickets nobody has started, placed by routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.conftest import T0
from helpline.routing.balance import plan
from helpline.routing.decide import Candidate, weight
from helpline.routing.models import AgentProfile
from helpline.tickets.events import EventKind
from helpline.tickets.models import Ticket, TicketEvent
from helpline.tickets.selectors import Movable
from helpline.worker import run_once

H = timedelta(hours=1)
IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def agent(user_id: int, **more: object) -> Candidate:
    fields: dict = {"zone": IST, "skills": frozenset({"payments"}), "capacity": 100, **more}
    return Candidate(user_id=user_id, **fields)


def ticket(pk: int, owner: int, priority: str = "C4", language: str = "en") -> Movable:
    return Movable(pk, owner, priority, "payments", language)


def test_a_newcomer_takes_tickets_until_the_loads_are_within_one() -> None:
    held = [ticket(i, 1) for i in range(10)]  # ten C4s on agent 1, nothing on agent 2
    moves = plan([agent(1), agent(2)], {1: 10}, held)
    assert len(moves) == 5 and {m.target for m in moves} == {2}
    assert moves[0].loads == (10, 0) and moves[-1].loads == (6, 4)


def test_a_heavy_ticket_moves_only_when_it_narrows_the_gap_and_skills_and_language_hold() -> None:
    # A C1 (4) between loads 4 and 0 would only swap them: nothing moves.
    assert plan([agent(1), agent(2)], {1: 4}, [ticket(1, 1, "C1")]) == []
    # The receiver lacks the skill, or does not write the merchant's language: nothing moves.
    assert plan([agent(1), agent(2, skills=frozenset())], {1: 6}, [ticket(1, 1)]) == []
    assert plan([agent(1), agent(2)], {1: 6}, [ticket(1, 1, language="hi")]) == []
    # At capacity: never a receiver.
    assert plan([agent(1), agent(2, capacity=0)], {1: 6}, [ticket(1, 1)]) == []
    # A C2 (3) best halves a gap of 7.
    moves = plan([agent(1), agent(2)], {1: 7}, [ticket(1, 1, "C4"), ticket(2, 1, "C2")])
    assert [m.ticket_id for m in moves][:1] == [2]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["C1", "C2", "C3", "C4"])), max_size=40)
)
def test_the_plan_never_widens_the_spread_and_stops_within_one_ticket(owned) -> None:
    agents = [agent(i) for i in range(1, 5)]
    held = [ticket(n, owner, p) for n, (owner, p) in enumerate(owned)]
    loads: dict[int, int] = {}
    for t in held:
        loads[t.assignee_id] = loads.get(t.assignee_id, 0) + weight(t.priority)
    after = {a.user_id: loads.get(a.user_id, 0) for a in agents}
    for move in plan(agents, loads, held):
        w = weight(next(t.priority for t in held if t.id == move.ticket_id))
        assert 0 < w < move.loads[0] - move.loads[1]
        after[move.source] -= w
        after[move.target] += w
    gap = max(after.values()) - min(after.values())
    before = max(loads.get(a.user_id, 0) for a in agents) - min(
        loads.get(a.user_id, 0) for a in agents
    )
    assert gap <= before
    # Nothing left to move would narrow the largest gap.
    top = max(after, key=lambda k: after[k])
    still = [t for t in held if t.assignee_id == top]  # a held ticket moved away is not "still"
    moved_away = {m.ticket_id for m in plan(agents, loads, held) if m.source == top}
    lighter = [t for t in still if t.id not in moved_away and weight(t.priority) < gap]
    assert gap <= 1 or not lighter or len(plan(agents, loads, held)) == 200


def test_the_worker_evens_out_new_tickets_and_leaves_started_and_chosen_ones(desk) -> None:
    AgentProfile.objects.filter(user=desk.lena).update(status="away")
    tickets = [desk.ticket(at=T0 + i * timedelta(minutes=1), priority="C4") for i in range(6)]
    assert {t.assignee_id for t in tickets} == {desk.ravi.pk}
    started, chosen = tickets[0], tickets[1]
    Ticket.objects.filter(pk=started.pk).update(status="in_progress")
    desk.triage(chosen, by="lena", assignee=desk.ravi.pk, at=T0 + 10 * timedelta(minutes=1))
    Ticket.objects.filter(pk=chosen.pk).update(status="new")  # a person's choice, not started
    AgentProfile.objects.filter(user=desk.lena).update(status="available")  # Lena is back
    result = run_once(now=T0 + H)
    assert result.rebalanced == 3  # 6 → 3 and 3
    owners = dict(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("pk", "assignee_id")
    )
    assert owners[started.pk] == owners[chosen.pk] == desk.ravi.pk
    assert sorted(owners.values()).count(desk.lena.pk) == 3
    moved = TicketEvent.objects.filter(
        kind=EventKind.ASSIGNEE, reason__startswith="auto: rebalanced"
    )
    assert moved.count() == 3
    assert run_once(now=T0 + 2 * H).rebalanced == 0  # even: one read, nothing moves
