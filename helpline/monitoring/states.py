"""The monitor's state machine, pure: up → suspect → down → recovering → up.

A failure while up makes the monitor *suspect* (re-probed at once); ``down_after`` failures in a
row confirm the outage, which started at the first of them. A success while down makes it
*recovering*; ``up_after`` successes in a row confirm the recovery, which happened at the first
of them. A failure while recovering is down again (the same outage goes on).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

NEW, UP, SUSPECT, DOWN, RECOVERING = "new", "up", "suspect", "down", "recovering"


@dataclass(frozen=True)
class Snapshot:
    state: str
    fail_streak: int = 0
    ok_streak: int = 0
    first_failure_at: datetime | None = None
    recovery_at: datetime | None = None


@dataclass(frozen=True)
class Step:
    after: Snapshot
    outage_confirmed: bool = False  # an outage starting at after.first_failure_at
    recovery_confirmed: bool = False  # the outage ended at ``recovered_at``
    recovered_at: datetime | None = None

    @property
    def reprobe_now(self) -> bool:
        return self.after.state in (SUSPECT, RECOVERING)


def advance(before: Snapshot, *, ok: bool, at: datetime, down_after: int, up_after: int) -> Step:
    state = before.state
    if state in (NEW, UP, SUSPECT):
        if ok:
            return Step(Snapshot(UP))
        streak = before.fail_streak + 1
        first = before.first_failure_at if state == SUSPECT and before.first_failure_at else at
        if streak >= down_after:
            return Step(Snapshot(DOWN, streak, 0, first, None), outage_confirmed=True)
        return Step(Snapshot(SUSPECT, streak, 0, first, None))
    # DOWN or RECOVERING: an outage is open.
    if not ok:
        return Step(
            replace(
                before,
                state=DOWN,
                fail_streak=before.fail_streak + 1,
                ok_streak=0,
                recovery_at=None,
            )
        )
    streak = before.ok_streak + 1
    recovery = before.recovery_at if state == RECOVERING and before.recovery_at else at
    if streak >= up_after:
        return Step(Snapshot(UP), recovery_confirmed=True, recovered_at=recovery)
    return Step(replace(before, state=RECOVERING, ok_streak=streak, recovery_at=recovery))


def after_gap(before: Snapshot) -> Snapshot:
    """The monitor was blind since its last probe: streaks do not run across unknown time
    (failures on both sides of an hour nobody watched are not "in a row")."""
    if before.state == SUSPECT:
        return Snapshot(UP)
    if before.state == RECOVERING:
        return replace(before, state=DOWN, ok_streak=0, recovery_at=None)
    return before
