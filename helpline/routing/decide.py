"""Who owns a ticket: the one decision, a pure function of the ticket's facts, the
candidates, their open loads and the instant (POLICY.md, "Ownership and routing").

The rule, in the order the reasons name it: agents of the owning team on shift now (for a C1
outside business hours: whoever is on call, any team), available and not on leave, with the
skill (the issue type) and the merchant's language, under capacity; the least weighted open
load (C1 4, C2 3, C3 2, C4 1); on a tie the one assigned least recently (never before first),
then the lowest id. Nobody qualifies: no assignee, and the reason says who was missing.
``selectors.candidates`` loads the rows; ``services`` writes the decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from helpline.routing.shifts import Days, Span, on_leave, on_shift

WEIGHTS = {"C1": 4, "C2": 3, "C3": 2, "C4": 1}
DEFAULT_LANGUAGE = "en"


def weight(priority: str) -> int:
    return WEIGHTS.get(priority, 1)


@dataclass(frozen=True)
class Facts:
    """What routing needs of a ticket."""

    priority: str
    issue_type: str
    language: str = DEFAULT_LANGUAGE
    team_id: int | None = None
    # A C1 outside business hours goes to whoever is on call.
    after_hours: bool = False

    @property
    def to_on_call(self) -> bool:
        return self.priority == "C1" and self.after_hours


@dataclass(frozen=True)
class Candidate:
    """One agent as routing sees them (an agent with an ``AgentProfile``, or someone on call)."""

    user_id: int
    zone: ZoneInfo
    skills: frozenset[str] = frozenset()
    # No language listed: they write the default (English).
    languages: frozenset[str] = frozenset()
    capacity: int = 40
    available: bool = True
    shifts: tuple[Span, ...] = ()
    leave: tuple[Days, ...] = ()
    last_assigned_at: datetime | None = None
    in_team: bool = True
    on_call: bool = False
    # The weighted open load read with the candidate (None: not read; ``loads`` has it).
    load: int | None = None

    def writes(self, language: str) -> bool:
        return language in (self.languages or {DEFAULT_LANGUAGE})


@dataclass(frozen=True)
class Decision:
    assignee_id: int | None
    team_id: int | None
    reason: str
    considered: tuple[int, ...] = field(default=(), compare=False)

    @property
    def assigned(self) -> bool:
        return self.assignee_id is not None


def _present(c: Candidate, now: datetime) -> bool:
    return c.available and not on_leave(c.leave, c.zone, now)


def eligible(facts: Facts, candidates: Sequence[Candidate], now: datetime) -> list[Candidate] | str:
    """The candidates who may take the ticket before capacity is weighed, or the reason
    nobody may (a string). The loader asks for loads of these only."""
    if facts.to_on_call:
        on_call = [c for c in candidates if c.on_call and _present(c, now)]
        if on_call:
            return on_call  # the on-call answers whatever the issue type or language
    pool = [c for c in candidates if c.in_team and on_shift(c.shifts, c.zone, now)]
    if not pool:
        return "nobody on shift"
    pool = [c for c in pool if _present(c, now)]
    if not pool:
        return "nobody on shift is available (away or on leave)"
    pool = [c for c in pool if facts.issue_type in c.skills]
    if not pool:
        return f"nobody on shift with the skill {facts.issue_type}"
    pool = [c for c in pool if c.writes(facts.language)]
    if not pool:
        return f"nobody on shift who writes {facts.language}"
    return pool


def present(candidates: Sequence[Candidate], now: datetime) -> list[Candidate]:
    """The team's candidates on shift, available and not on leave at ``now``."""
    return [
        c for c in candidates if c.in_team and on_shift(c.shifts, c.zone, now) and _present(c, now)
    ]


def _order(c: Candidate, loads: Mapping[int, int]) -> tuple[int, bool, datetime | None, int]:
    # Least load; never assigned sorts before any instant; then the oldest instant; then id.
    last = c.last_assigned_at
    return (loads.get(c.user_id, 0), last is not None, last, c.user_id)


def decide(
    facts: Facts, candidates: Sequence[Candidate], loads: Mapping[int, int], now: datetime
) -> Decision:
    """The owner of a ticket with ``facts`` at ``now``; ``loads``: each candidate's weighted
    open load (absent: none)."""
    pool = eligible(facts, candidates, now)
    if isinstance(pool, str):
        return Decision(None, facts.team_id, pool)
    on_call = facts.to_on_call and all(c.on_call for c in pool)
    over = False
    if not on_call:  # the on-call takes a C1 at night whatever their load
        under = [c for c in pool if loads.get(c.user_id, 0) < c.capacity]
        # A C1 is never left unowned for capacity (decision 0185): the least loaded takes it.
        over = not under and facts.priority == "C1"
        if not under and not over:
            return Decision(None, facts.team_id, "all at capacity")
        pool = under or pool
    chosen = min(pool, key=lambda c: _order(c, loads))
    if on_call:
        reason = f"auto: on call (least loaded of {len(pool)})"
    else:
        reason = f"auto: least loaded of {len(pool)} on shift with {facts.issue_type}"
        if facts.language != DEFAULT_LANGUAGE:
            reason += f", writing {facts.language}"
        if over:
            reason += " (a C1: all at capacity)"
    return Decision(chosen.user_id, facts.team_id, reason, tuple(c.user_id for c in pool))
