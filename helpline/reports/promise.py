"""The "promise kept" report (docs/policy.md "Due date and compliance"): was the due date given
to the merchant kept, judged against the first due date given and against the last, per agent,
team, issue type and merchant. Reported apart from SLA compliance, which is judged against the
policy's targets.

A ticket is judged when it was given a due date (``first_due_at``, set once at triage; the last
is ``due_at``, which a reopen after it passed keeps until a new one is set). Against a due date:
**kept** — resolved on or before it; **broken** — resolved after it, or still unresolved past it
(open, or withdrawn after it); **pending** — open and not yet due. A ticket withdrawn before its
due date is not judged. A reopened ticket is judged on its last resolution. Kept % = kept ÷
(kept + broken). One GROUP BY over the tickets created in the period (decision 0095).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core.errors import InvalidInput
from helpline.monitoring import selectors as monitoring_selectors
from helpline.reports.selectors import Period, Table
from helpline.tickets import selectors as ticket_selectors

# The report's groupings: (the column grouped by, its name in the table, the label of "none").
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "agent": ("assignee__email", "agent", "(unassigned)"),
    "team": ("team__name", "team", "(no team)"),
    "issue-type": ("issue_type", "issue type", "—"),
    "merchant": ("merchant__name", "merchant", "—"),
}
INTERNAL = frozenset({"agent", "team"})


def _outcomes(due: str, now: datetime) -> dict[str, Q]:
    """Kept, broken and pending against the due date in column ``due``."""
    deadline = F(due)
    kept = Q(resolved_at__isnull=False, resolved_at__lte=deadline)
    unresolved_past = Q(resolved_at__isnull=True, **{f"{due}__lte": now}) & (
        Q(closed_at__isnull=True) | Q(closed_at__gt=deadline)
    )
    broken = Q(resolved_at__gt=deadline) | unresolved_past
    pending = Q(resolved_at__isnull=True, closed_at__isnull=True, **{f"{due}__gt": now})
    return {"kept": kept, "broken": broken, "pending": pending}


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def promise_kept(*, user: User | None, period: Period, by: str, now: datetime) -> Table:
    """Due dates kept, broken and pending against the first and the last due date given."""
    if by not in DIMENSIONS:
        raise InvalidInput(f"group by one of: {', '.join(DIMENSIONS)}", code="invalid_dimension")
    if by in INTERNAL and not access.sees_internal(user):
        raise InvalidInput(f"only staff group by {by}", code="invalid_dimension")
    column, label, none = DIMENSIONS[by]
    counts: dict[str, Any] = {"given": Count("id")}
    for which, due in (("first", "first_due_at"), ("last", "due_at")):
        for outcome, q in _outcomes(due, now).items():
            counts[f"{which}_{outcome}"] = Count("id", filter=q)
    rows = (
        ticket_selectors.visible_tickets(user)
        .filter(
            created_at__gte=period.start,
            created_at__lt=period.end,
            first_due_at__isnull=False,
        )
        .values(key=F(column))
        .annotate(**counts)
        .order_by("key")
    )
    table = Table(
        name=f"promise-{by}",
        title=f"Promise kept (due dates) by {label}",
        columns=[label, "given a due date"]
        + [
            f"{outcome} ({which} due date)"
            for which in ("first", "last")
            for outcome in ("kept", "broken", "pending", "kept %")
        ],
    )
    for r in rows:
        cells: list[Any] = [none if r["key"] is None else r["key"], r["given"]]
        for which in ("first", "last"):
            kept, broken = r[f"{which}_kept"], r[f"{which}_broken"]
            cells += [kept, broken, r[f"{which}_pending"], _pct(kept, kept + broken)]
        table.rows.append(cells)
    return table


def root_causes(*, period: Period, now: datetime) -> Table:
    """Root-cause reports as a promise (decision 0229): owed in the period, kept, late, open."""
    table = Table(
        name="root-causes",
        title="Root-cause reports (due in 5 business days)",
        columns=["owed by", "owed", "kept", "late", "open", "kept %"],
    )
    for r in monitoring_selectors.root_cause_counts(start=period.start, end=period.end, now=now):
        judged = r["kept"] + r["late"]
        table.rows.append(
            [r["of"], r["owed"], r["kept"], r["late"], r["open"], _pct(r["kept"], judged)]
        )
    return table
