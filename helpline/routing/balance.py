"""Evening out the loads of a team's agents on shift (decision 0185).

Placing each new ticket on the least loaded keeps a team even only while nobody comes or goes:
an agent whose shift starts has nothing (or what they left yesterday) while the others carry
the morning's work, and the spread stays until enough new tickets arrive. So the worker's step
also moves tickets nobody has started — still ``new``, unanswered, placed by routing (a
person's assignment always wins) — from the most loaded agent present to the least loaded,
until the weighted loads are within 1 or no such ticket fits. The merchant has heard from
nobody yet on a ticket that moves, so no conversation changes hands.

``plan`` is pure (loads and tickets in, moves out); ``rebalance`` reads and writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from helpline.routing import selectors
from helpline.routing.decide import Candidate, present, weight
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.selectors import Movable
from helpline.tickets.services import ticket_assign

MAX_MOVES = 200  # a step's bound per team; the next step goes on


@dataclass(frozen=True)
class Move:
    ticket_id: int
    source: int
    target: int
    loads: tuple[int, int]  # the two agents' loads before the move


def _fits(ticket: Movable, agent: Candidate) -> bool:
    return ticket.issue_type in agent.skills and agent.writes(ticket.language)


def _pick(held: list[Movable], target: Candidate, gap: int) -> Movable | None:
    """The ticket whose weight best halves ``gap`` (0 < weight < gap narrows it)."""
    fitting = [t for t in held if 0 < weight(t.priority) < gap and _fits(t, target)]
    return min(fitting, key=lambda t: abs(gap - 2 * weight(t.priority)), default=None)


def plan(
    agents: Sequence[Candidate], loads: Mapping[int, int], tickets: Sequence[Movable]
) -> list[Move]:
    """The moves that bring the agents' weighted loads within 1 of each other, as far as the
    movable tickets allow: each from the most loaded to the least loaded agent under capacity
    who takes the ticket's skill and language. Every move lowers the sum of squared loads,
    so the plan ends."""
    load = {a.user_id: loads.get(a.user_id, 0) for a in agents}
    held: dict[int, list[Movable]] = {a.user_id: [] for a in agents}
    for ticket in tickets:
        held.setdefault(ticket.assignee_id, []).append(ticket)
    moves: list[Move] = []
    while len(moves) < MAX_MOVES:
        move = _next_move(agents, load, held)
        if move is None:
            return moves
        ticket = next(t for t in held[move.source] if t.id == move.ticket_id)
        held[move.source].remove(ticket)
        held[move.target].append(ticket)
        load[move.source] -= weight(ticket.priority)
        load[move.target] += weight(ticket.priority)
        moves.append(move)
    return moves


def _next_move(
    agents: Sequence[Candidate], load: dict[int, int], held: dict[int, list[Movable]]
) -> Move | None:
    """The first move that narrows a gap: from the most loaded agent who has a ticket that
    fits, to the least loaded under capacity who takes it."""
    order = sorted(agents, key=lambda a: (load[a.user_id], a.user_id))
    for top in reversed(order):
        for low in order:
            gap = load[top.user_id] - load[low.user_id]
            if gap <= 1:
                break
            if load[low.user_id] >= low.capacity:
                continue
            ticket = _pick(held[top.user_id], low, gap)
            if ticket is not None:
                return Move(
                    ticket.id, top.user_id, low.user_id, (load[top.user_id], load[low.user_id])
                )
    return None


def rebalance(*, now: datetime) -> int:
    """Every team's loads evened out among its agents on shift now; the number of tickets
    moved. One read per team when it is even already (the candidates with their loads)."""
    moved = 0
    for team_id in selectors.routed_teams():
        agents = present(selectors.team_candidates(team_id, now), now)
        loads = {a.user_id: a.load or 0 for a in agents}
        if len(agents) < 2 or max(loads.values()) - min(loads.values()) <= 1:
            continue
        tickets = ticket_selectors.movable_for_balance(list(loads), team_id)
        for move in plan(agents, loads, tickets):
            reason = (
                "auto: rebalanced to the least loaded on shift "
                f"(weighted loads {move.loads[0]} and {move.loads[1]})"
            )
            done = ticket_assign(
                ticket=move.ticket_id,
                assignee=move.target,
                reason=reason,
                expect_assignee=move.source,
                now=now,
            )
            moved += done is not None
    return moved
