"""The progress sheet of a store: kept by the system, not typed. Every open ticket and
every ticket resolved or closed in the last ``RECENT_DAYS`` days, with opened, priority, status,
due date, last update, next step and owner, plus the account manager's own note on the row.

Staff see who owns a row; the merchant sees it read-only, without internal detail (docs/policy.md:
assignment and teams are internal), so their "owner" says who must act: support, engineering or
themselves. Exported to CSV and XLSX with the same rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, F, Q, Value, When

from helpline.account_management.models import SheetNote
from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core import display
from helpline.core.errors import NotFound
from helpline.core.spreadsheet import formula_safe
from helpline.engineering import selectors as engineering
from helpline.merchants.models import Store
from helpline.tickets.models import OPEN_STATUSES, Status, Ticket

RECENT_DAYS = 30
LIMIT = 1000  # rows in an export
SHOWN = 100  # rows on a page (the rest: in the export)
PRIORITY_ORDER = {"C1": 0, "C2": 1, "C3": 2, "C4": 3}
COLUMNS = [
    ("reference", "Ticket"),
    ("subject", "Subject"),
    ("opened", "Opened"),
    ("priority", "Priority"),
    ("status", "Status"),
    ("due", "Due date"),
    ("last_update", "Last update"),
    ("next_step", "Next step"),
    ("owner", "Owner"),
    ("note", "Account manager's note"),
]


@dataclass(frozen=True)
class SheetRow:
    ticket_id: int
    reference: str
    subject: str
    opened: datetime
    priority: str
    status: str
    due: datetime | None
    last_update: datetime
    next_step: str
    owner: str
    note: str
    engineering: str


def _next_step(ticket: Ticket, eng: str, devs: str) -> tuple[str, str]:
    """(next step, who acts) from the ticket's state."""
    status = ticket.status
    if status == Status.NEW:
        return "Support reviews it and sets a due date", "Support"
    if status == Status.WAITING_ON_MERCHANT:
        return "Support is waiting for the merchant's answer", "Merchant"
    if status == Status.AWAITING_APPROVAL:
        return "The merchant approves or declines the quote", "Merchant"
    if status == Status.RESOLVED:
        return "The merchant confirms (closes) or reopens", "Merchant"
    if status == Status.CLOSED:
        return "Nothing: closed", "—"
    if eng == "with engineering":
        return "Engineering works on it" + (f" ({devs})" if devs else ""), "Engineering"
    if eng == "engineering done":
        return "Support applies engineering's fix and tells the merchant", "Support"
    if status == Status.TRIAGED:
        return "Support starts work before the due date", "Support"
    return "Support works on it", "Support"


def _owner(ticket: Ticket, who: str, *, internal: bool) -> str:
    """Who owns the row as ``internal`` readers see it (a person or team), else who acts."""
    if internal and who in ("Support", "Engineering"):
        team = ticket.team.name if ticket.team is not None else who
        owner = str(ticket.assignee) if ticket.assignee_id else team
        if who == "Engineering":
            owner = f"Engineering ({owner})" if ticket.assignee_id else "Engineering"
        return owner
    return "You" if who == "Merchant" and not internal else who


def _sheet_tickets(store: Store, now: datetime) -> Any:
    since = now - timedelta(days=RECENT_DAYS)
    done = [Status.RESOLVED, Status.CLOSED]
    return Ticket.objects.filter(store=store).filter(
        Q(status__in=[s.value for s in OPEN_STATUSES])
        | Q(status=Status.RESOLVED, resolved_at__gte=since)
        | Q(status=Status.CLOSED, closed_at__gte=since)
    ), done


def sheet_rows(*, user: User, store: Store, now: datetime, limit: int = LIMIT) -> list[SheetRow]:
    """The rows ``user`` may see (404 if the store is not theirs to see), in the sheet's order:
    open before closed, then priority, due date, last update."""
    if not access.may_file_for(user, store):
        raise NotFound("store not found")
    internal = access.sees_internal(user)
    qs, done = _sheet_tickets(store, now)
    is_done = Case(When(status__in=done, then=Value(1)), default=Value(0))
    rank = Case(
        When(status__in=done, then=Value(0)),
        *(When(priority=code, then=Value(n)) for code, n in PRIORITY_ORDER.items()),
        default=Value(9),
    )
    tickets = list(
        qs.select_related("assignee", "team")
        .only(
            "id",
            "subject",
            "created_at",
            "priority",
            "status",
            "due_at",
            "needs_due_date_since",
            "updated_at",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__email",
            "team__name",
        )
        .order_by(is_done, rank, F("due_at").asc(nulls_last=True), "-updated_at", "-pk")[:limit]
    )
    ids = [t.pk for t in tickets]
    notes = dict(SheetNote.objects.filter(ticket_id__in=ids).values_list("ticket_id", "note"))
    states = engineering.engineering_state(ids)
    refs = engineering.references_for(ids) if internal else {}
    rows = []
    for t in tickets:
        eng = states.get(t.pk, "")
        step, who = _next_step(t, eng, ", ".join(refs.get(t.pk, [])))
        owner = _owner(t, who, internal=internal)
        status = t.get_status_display()
        rows.append(
            SheetRow(
                ticket_id=t.pk,
                reference=t.reference,
                subject=t.subject,
                opened=t.created_at,
                priority=t.priority,
                status=status + (" · with engineering" if eng == "with engineering" else ""),
                due=None if t.needs_due_date else t.due_at,  # a new one will be set
                last_update=t.updated_at,
                next_step=step,
                owner=owner,
                note=notes.get(t.pk, ""),
                engineering=eng,
            )
        )
    return rows


def sheet_size(*, store: Store, now: datetime) -> int:
    """How many rows the whole sheet has (a page shows the first ``SHOWN``)."""
    return int(_sheet_tickets(store, now)[0].count())


def cell(row: SheetRow, key: str, zone: ZoneInfo) -> str:
    """A row's cell as text (times in ``zone``): the CSV and the page show the same words."""
    value = getattr(row, key)
    if isinstance(value, datetime):
        return display.when(value, zone)
    return "" if value is None else str(value)


TIMES = frozenset({"opened", "due", "last_update"})


def headers(zone: ZoneInfo) -> list[str]:
    """The columns' names; a column of times names the zone its cells are written in."""
    return [f"{label} ({zone})" if key in TIMES else label for key, label in COLUMNS]


def to_csv(rows: list[SheetRow], zone: ZoneInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(zone))
    for row in rows:
        writer.writerow([formula_safe(cell(row, key, zone)) for key, _ in COLUMNS])
    return out.getvalue()


def to_xlsx(rows: list[SheetRow], zone: ZoneInfo, *, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "Progress"
    sheet.append(headers(zone))
    for row in rows:
        sheet.append([formula_safe(cell(row, key, zone)) for key, _ in COLUMNS])
    for letter, width in zip("ABCDEFGHIJ", (10, 40, 17, 8, 28, 17, 17, 45, 20, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    book.properties.title = title[:200]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
