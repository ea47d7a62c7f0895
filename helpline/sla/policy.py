"""The policy snapshot: what one ``PolicyVersion`` says, as immutable values.

Pure: built from the JSON a version stores, it answers "what are the targets for this priority
and issue type" without touching the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from helpline.sla.defaults import BREACH_PERCENT, ESCALATION, TARGET_KINDS


@dataclass(frozen=True)
class CalendarSpec:
    slug: str
    name: str
    zone: str
    always_open: bool
    country: str
    subdivision: str
    # Monday=0 … Sunday=6: ((start_seconds, end_seconds), …) since local midnight.
    weekly: tuple[tuple[tuple[int, int], ...], ...]


@dataclass(frozen=True)
class TargetSpec:
    kind: str
    minutes: int
    calendar: str
    goal_minutes: int | None = None
    overridden: bool = False

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class PrioritySpec:
    code: str
    rank: int
    name: str
    description: str


@dataclass(frozen=True)
class IssueTypeSpec:
    slug: str
    name: str
    description: str
    default_priority: str
    active: bool


@dataclass(frozen=True)
class EscalationStepSpec:
    """At ``percent`` of a pending target's length (100: the breach), tell ``notify``."""

    percent: int
    notify: tuple[str, ...]

    @property
    def breach(self) -> bool:
        return self.percent >= BREACH_PERCENT


def default_escalation() -> list[dict[str, Any]]:
    """The defaults, as a snapshot stores them (for a version written before the chain was
    policy data; the data migration writes them into every such version)."""
    return [
        {"priority": code, "percent": percent, "notify": notify.split()}
        for code, steps in ESCALATION.items()
        for percent, notify in steps
    ]


@dataclass(frozen=True)
class Policy:
    version_id: int
    number: int
    calendars: Mapping[str, CalendarSpec]
    priorities: Mapping[str, PrioritySpec]
    targets: Mapping[tuple[str, str], TargetSpec]
    issue_types: Mapping[str, IssueTypeSpec]
    overrides: Mapping[tuple[str, str, str], int]
    escalation: Mapping[str, tuple[EscalationStepSpec, ...]] = field(default_factory=dict)

    def escalation_for(self, priority: str) -> tuple[EscalationStepSpec, ...]:
        """The priority's chain, by percent (the breach step last)."""
        return self.escalation.get(priority, ())

    def warning_steps(self, priority: str) -> tuple[EscalationStepSpec, ...]:
        """The steps before the breach: each one a warning, in order."""
        return tuple(s for s in self.escalation_for(priority) if not s.breach)

    def step_at(self, priority: str, percent: int) -> EscalationStepSpec | None:
        return next((s for s in self.escalation_for(priority) if s.percent == percent), None)

    def targets_for(self, priority: str, issue_type: str) -> dict[str, TargetSpec]:
        """The targets of a ticket of this priority and issue type, overrides applied."""
        result: dict[str, TargetSpec] = {}
        for kind in TARGET_KINDS:
            base = self.targets[(priority, kind)]
            minutes = self.overrides.get((issue_type, priority, kind))
            if minutes is not None:
                base = TargetSpec(kind, minutes, base.calendar, base.goal_minutes, overridden=True)
            result[kind] = base
        return result

    def rank(self, priority: str) -> int:
        return self.priorities[priority].rank

    def priority_codes(self) -> list[str]:
        return sorted(self.priorities, key=self.rank)

    @classmethod
    def from_snapshot(cls, version_id: int, number: int, data: Mapping[str, Any]) -> Policy:
        calendars = {
            c["slug"]: CalendarSpec(
                slug=c["slug"],
                name=c["name"],
                zone=c["zone"],
                always_open=c["always_open"],
                country=c["country"],
                subdivision=c["subdivision"],
                weekly=tuple(tuple((int(s), int(e)) for s, e in day) for day in c["weekly"]),
            )
            for c in data["calendars"]
        }
        priorities = {
            p["code"]: PrioritySpec(p["code"], p["rank"], p["name"], p["description"])
            for p in data["priorities"]
        }
        targets = {
            (t["priority"], t["kind"]): TargetSpec(
                t["kind"], t["minutes"], t["calendar"], t.get("goal_minutes")
            )
            for t in data["targets"]
        }
        issue_types = {
            i["slug"]: IssueTypeSpec(
                i["slug"], i["name"], i["description"], i["default_priority"], i["active"]
            )
            for i in data["issue_types"]
        }
        overrides = {
            (o["issue_type"], o["priority"], o["kind"]): o["minutes"] for o in data["overrides"]
        }
        chains: dict[str, list[EscalationStepSpec]] = {}
        for step in data.get("escalation") or default_escalation():
            chains.setdefault(step["priority"], []).append(
                EscalationStepSpec(int(step["percent"]), tuple(step["notify"]))
            )
        escalation = {
            code: tuple(sorted(steps, key=lambda s: s.percent)) for code, steps in chains.items()
        }
        return cls(
            version_id, number, calendars, priorities, targets, issue_types, overrides, escalation
        )
