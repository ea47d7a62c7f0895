"""The guideline's goals, shown beside the policy's targets in the SLA compliance report
(docs/policy.md "Priorities and targets"): a C1 workaround within 2 h (target 6 h), a C4
resolution within 5 business days (target 10).

Goals are constants of the read side, not policy data (decision 0099): they move no deadline,
warn nobody and are not versioned; the report measures the time each met target took (on its
own calendar, ``taken_business``) against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q

from helpline.sla.defaults import RESOLUTION


@dataclass(frozen=True)
class Goal:
    key: str
    priority: str
    target: str  # the clock kind
    within: timedelta  # on the target's calendar
    label: str

    def clocks(self) -> Q:
        return Q(priority=self.priority, kind=self.target)


GOALS: tuple[Goal, ...] = (
    Goal("c1_workaround", "C1", RESOLUTION, timedelta(hours=2), "C1 workaround (goal 2 h)"),
    Goal(
        "c4_resolution",
        "C4",
        RESOLUTION,
        timedelta(hours=40),
        "C4 resolution (goal 5 business days)",
    ),
)


def columns() -> list[str]:
    """Per goal: the targets judged, the share meeting the target, the share within the goal."""
    out = []
    for goal in GOALS:
        out += [f"{goal.label}: judged", f"{goal.label}: met target %", f"{goal.label}: met goal %"]
    return out


def aggregates(met: Q) -> dict[str, Any]:
    """The counts ``cells`` needs, as aggregates of the compliance query (the same GROUP BY,
    whose rows are the judged targets already: met or breached)."""
    out: dict[str, Any] = {}
    for goal in GOALS:
        mine = goal.clocks()
        out[f"{goal.key}_n"] = Count("id", filter=mine)
        out[f"{goal.key}_met"] = Count("id", filter=mine & met)
        within = Q(taken_business__lte=goal.within)
        out[f"{goal.key}_goal"] = Count("id", filter=mine & met & within)
    return out


def cells(row: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for goal in GOALS:
        n = row[f"{goal.key}_n"]
        out += [n, _pct(row[f"{goal.key}_met"], n), _pct(row[f"{goal.key}_goal"], n)]
    return out


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None
