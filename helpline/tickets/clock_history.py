"""What a ``TicketClock`` row remembers for re-prioritising (decision 0090), in its ``history``.

- ``pauses``: the closed pauses since the target started (waiting on the merchant, awaiting
  approval, the resolved interval of a reopened ticket) — the open one is ``paused_since``;
- ``budget_us``: the target's deadline as business time after its start, net of pauses, when
  re-prioritising made it differ from ``length``;
- ``had``: the smallest budget the target had per priority and target length (``"C3:2400"``);
- ``warned``: the first warning of the chain of rows, so a round trip does not warn twice.

A row written before the history was kept reads as one pause as long as the wall time it did
not count, ending where its current run (or pause) began.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from helpline.sla.reprioritise import Closed, Target, TargetKey, Track
from helpline.tickets.models import TicketClock

ZERO = timedelta(0)
US = timedelta(microseconds=1)


def _history(clk: TicketClock) -> dict[str, Any]:
    return clk.history if isinstance(clk.history, dict) else {}


def pauses_of(clk: TicketClock) -> list[Closed]:
    history = _history(clk)
    if "pauses" in history:
        return [
            (datetime.fromisoformat(b), datetime.fromisoformat(e)) for b, e in history["pauses"]
        ]
    ref = clk.segment_started_at or clk.paused_since or clk.met_at or clk.stopped_at
    if ref is None:
        return []
    gap = (ref - clk.started_at) - clk.wall_consumed
    return [(ref - gap, ref)] if gap > ZERO else []


def note_pause(clk: TicketClock, began: datetime, ended: datetime) -> None:
    """Add a closed pause (a new dict: the change sees the row changed)."""
    if ended > began:
        spans = [*pauses_of(clk), (began, ended)]
        clk.history = {
            **_history(clk),
            "pauses": [[b.isoformat(), e.isoformat()] for b, e in spans],
        }


def budget_of(clk: TicketClock) -> timedelta:
    raw = _history(clk).get("budget_us")
    return clk.length if raw is None else raw * US


def minutes_of(clk: TicketClock) -> int:
    return int(clk.length.total_seconds()) // 60


def had_of(clk: TicketClock) -> dict[TargetKey, timedelta]:
    raw = _history(clk).get("had")
    if not raw:
        return {(clk.priority, minutes_of(clk)): budget_of(clk)}
    had: dict[TargetKey, timedelta] = {}
    for key, value in raw.items():
        priority, minutes = key.split(":")
        had[(priority, int(minutes))] = value * US
    return had


def warned_of(clk: TicketClock) -> datetime | None:
    raw = _history(clk).get("warned")
    return clk.warned_at or (datetime.fromisoformat(raw) if raw else None)


def track(clk: TicketClock) -> Track:
    return Track(
        target=Target(clk.priority, minutes_of(clk), clk.calendar),
        origin=clk.started_at,
        pauses=tuple(pauses_of(clk)),
        paused_since=clk.paused_since,
        budget=budget_of(clk),
        breached_at=clk.breached_at,
        had=had_of(clk),
    )


def write(
    clk: TicketClock,
    *,
    pauses: tuple[Closed, ...],
    budget: timedelta,
    had: dict[TargetKey, timedelta],
    warned: datetime | None,
) -> None:
    history: dict[str, Any] = {"pauses": [[b.isoformat(), e.isoformat()] for b, e in pauses]}
    if budget != clk.length:
        history["budget_us"] = budget // US
    history["had"] = {f"{p}:{m}": b // US for (p, m), b in sorted(had.items())}
    if warned is not None:
        history["warned"] = warned.isoformat()
    clk.history = history
