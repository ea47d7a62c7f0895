"""Random re-prioritising sequences, the pure engine that runs them, and an independent check.

``Sim`` runs a ticket's targets through ``helpline.sla.reprioritise`` the way ``tickets.clocks``
does (a breach passed is recorded before a change; a pause closes on resume; a met target is
frozen). ``Checker`` knows nothing of budgets kept by the engine: it sees each deadline the
engine gives, measures it with ``business_time`` against the pauses it was told of, and holds
the policy's two promises (docs/policy.md, "Re-prioritising"; decision 0090):

1. never later than the earliest deadline had earlier under each target (priority, length) at
   least as long, of the same priority or a lower one (a breached target raised starts afresh:
   those passed by then no longer bind);
2. lowered (a longer target) = laid out from the target's start under the new target, net of
   pauses — exactly as if filed so (breached at that instant if it has passed).

Used by the property tests (hypothesis) and by ``bench/reprioritise_property.py`` (random).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from helpline.sla import defaults
from helpline.sla.business_time import BusinessCalendar, elapsed, lay_out
from helpline.sla.reprioritise import Outcome, Target, Track, pauses_at, retarget

__all__ = ["Outcome", "elapsed", "lay_out", "pauses_at"]

from .calendars import by_slug

PRIORITIES = tuple(defaults.TARGETS)
RANK = {str(p["code"]): int(str(p["rank"])) for p in defaults.PRIORITIES}
ISSUE_TYPES = tuple(slug for slug, *_ in defaults.ISSUE_TYPES)
DEFAULT_PRIORITY = {slug: priority for slug, _, priority, _ in defaults.ISSUE_TYPES}
OVERRIDES = {(t, p, k): minutes for t, p, k, minutes in defaults.OVERRIDES}
FIRST = datetime(2026, 11, 30, tzinfo=UTC)
SPAN_MINUTES = 200 * 24 * 60  # starts from 30 Nov 2026 through mid-June 2027

# A step: ("priority", "C2"), ("issue_type", "store-down"), ("pause",), ("resume",), ("meet",)
Step = tuple[str, ...]


def target_of(priority: str, issue_type: str, kind: str) -> Target:
    minutes, calendar, _goal = defaults.TARGETS[priority][kind]
    return Target(priority, OVERRIDES.get((issue_type, priority, kind), minutes), calendar)


def calendar_slug(priority: str, kind: str) -> str:
    return defaults.TARGETS[priority][kind][1]


def cal(slug: str) -> BusinessCalendar:
    return by_slug(slug)


@dataclass
class Sim:
    """One ticket's targets, run by the engine."""

    priority: str
    issue_type: str
    at: datetime
    tracks: dict[str, Track] = field(default_factory=dict)
    met: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for kind in defaults.TARGET_KINDS:
            target = target_of(self.priority, self.issue_type, kind)
            self.tracks[kind] = Track(
                target, self.at, (), None, target.length, None, {target.key: target.length}
            )

    def deadline(self, kind: str, at: datetime) -> datetime:
        """The deadline shown (breached: the one missed; paused: as if resumed at ``at``)."""
        track = self.tracks[kind]
        if track.breached_at is not None:
            return track.breached_at
        found = lay_out(
            cal(track.target.calendar), track.origin, track.budget, pauses_at(track, at)
        )
        assert found is not None
        return found

    def record_passed(self, kind: str, at: datetime) -> None:
        track = self.tracks[kind]
        if kind not in self.met and track.breached_at is None:
            due = self.deadline(kind, at)
            if due <= (track.paused_since or at):
                self.tracks[kind] = replace(track, breached_at=due)

    def pause(self, at: datetime) -> None:
        for kind in self.tracks:
            self.record_passed(kind, at)
            if kind not in self.met:
                self.tracks[kind] = replace(self.tracks[kind], paused_since=at)

    def resume(self, at: datetime) -> None:
        for kind, track in self.tracks.items():
            if track.paused_since is not None and kind not in self.met:
                spans = (*track.pauses, (track.paused_since, at))
                self.tracks[kind] = replace(track, pauses=spans, paused_since=None)

    def change(self, at: datetime, *, priority: str, issue_type: str) -> dict[str, str]:
        """Re-prioritise; the rule applied per kind moved (``raised``, ``lowered``, …)."""
        self.priority, self.issue_type = priority, issue_type
        rules: dict[str, str] = {}
        for kind in defaults.TARGET_KINDS:
            if kind in self.met:
                continue
            self.record_passed(kind, at)
            track = self.tracks[kind]
            outcome = retarget(
                track,
                target_of(priority, issue_type, kind),
                at=at,
                rank=RANK.__getitem__,
                calendar_of=cal,
                priority_calendar=lambda p, kind=kind: calendar_slug(p, kind),  # type: ignore[misc]
            )
            if outcome is None:
                continue
            rules[kind] = outcome.rule
            self.tracks[kind] = replace(
                track,
                target=target_of(priority, issue_type, kind),
                budget=outcome.budget,
                breached_at=outcome.breached_at,
                had=outcome.had,
            )
        return rules


@dataclass
class Seen:
    target: Target
    budget: timedelta  # on the target's calendar, after the start, net of the pauses


@dataclass
class Checker:
    """Holds every deadline the engine gave against the two promises, independently."""

    origin: datetime
    seen: dict[str, list[Seen]] = field(default_factory=dict)
    last: dict[str, Seen] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    def _instant(self, seen: Seen, spans: list[tuple[datetime, datetime]]) -> datetime:
        found = lay_out(cal(seen.target.calendar), self.origin, seen.budget, spans)
        assert found is not None
        return found

    def start(self, kind: str, target: Target) -> None:
        self.last[kind] = first = Seen(target, target.length)
        self.seen[kind] = [first]

    def observe(
        self,
        kind: str,
        target: Target,
        deadline: datetime,
        at: datetime,
        spans: list[tuple[datetime, datetime]],
    ) -> None:
        """The engine's deadline for ``kind`` after a change at ``at`` (``spans``: the pauses,
        an open one closed at ``at``)."""
        last = self.last[kind]
        if (target.minutes, target.calendar) == (last.target.minutes, last.target.calendar):
            if deadline != self._instant(last, spans):
                self.violations.append(f"{kind} moved at {at} with no target changed")
            return
        shorter = target.minutes < last.target.minutes
        if shorter and self._instant(last, spans) <= at:  # breached: starts afresh
            self.seen[kind] = [s for s in self.seen[kind] if self._instant(s, spans) > at]
        for earlier in self.seen[kind]:
            binds = RANK[earlier.target.priority] >= RANK[target.priority]
            if binds and earlier.target.minutes >= target.minutes:
                bound = self._instant(earlier, spans)
                if deadline > bound:
                    self.violations.append(
                        f"{kind} {target} at {at}: {deadline} later than {bound} had under "
                        f"{earlier.target}"
                    )
        if not shorter:
            filed = lay_out(cal(target.calendar), self.origin, target.length, spans)
            if deadline != filed:
                self.violations.append(
                    f"{kind} lowered to {target} at {at}: {deadline}, filed so: {filed}"
                )
        budget = elapsed(cal(target.calendar), self.origin, deadline, spans)
        self.last[kind] = now_seen = Seen(target, budget)
        # What binds is the earliest deadline had per target (priority, length).
        same = [s for s in self.seen[kind] if s.target.key == target.key]
        if not same or budget < same[0].budget:
            self.seen[kind] = [s for s in self.seen[kind] if s.target.key != target.key]
            self.seen[kind].append(now_seen)


def run(start: datetime, issue_type: str, steps: list[tuple[int, Step]]) -> tuple[Sim, Checker]:
    """File a ticket at ``start`` and apply ``steps`` (seconds after the previous step, what)."""
    sim = Sim(DEFAULT_PRIORITY[issue_type], issue_type, start)
    checker = Checker(start)
    for kind, track in sim.tracks.items():
        checker.start(kind, track.target)
    at, paused_since, closed = start, None, []
    for gap, step in steps:
        at += timedelta(seconds=gap)
        if step[0] == "pause" and paused_since is None:
            sim.pause(at)
            paused_since = at
        elif step[0] == "resume" and paused_since is not None:
            sim.resume(at)
            closed.append((paused_since, at))
            paused_since = None
        elif step[0] in ("priority", "issue_type"):
            priority = step[1] if step[0] == "priority" else sim.priority
            issue_type = step[1] if step[0] == "issue_type" else sim.issue_type
            sim.change(at, priority=priority, issue_type=issue_type)
            spans = [*closed, *([(paused_since, at)] if paused_since else [])]
            for kind, track in sim.tracks.items():
                checker.observe(kind, track.target, sim.deadline(kind, at), at, spans)
    return sim, checker


def random_case(rng: random.Random) -> tuple[datetime, str, list[tuple[int, Step]]]:
    """A start, an issue type and 1–8 steps, at any instants (to the second) up to 3 days apart."""
    start = FIRST + timedelta(minutes=rng.randrange(SPAN_MINUTES), seconds=rng.randrange(60))
    steps: list[tuple[int, Step]] = []
    for _ in range(rng.randint(1, 8)):
        roll = rng.random()
        if roll < 0.45:
            step: Step = ("priority", rng.choice(PRIORITIES))
        elif roll < 0.7:
            step = ("issue_type", rng.choice(ISSUE_TYPES))
        else:
            step = (rng.choice(("pause", "resume")),)
        steps.append((rng.randint(1, 3 * 86_400), step))
    return start, rng.choice(ISSUE_TYPES), steps
