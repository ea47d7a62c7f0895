"""Every read of tickets, scoped by ``tickets.access`` (unknown and forbidden look the same)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core.errors import Forbidden, InvalidInput, NotFound
from helpline.core.prepared import Prepared
from helpline.core.validation import id_in_range
from helpline.tickets import access as ticket_access
from helpline.tickets.events import EventKind
from helpline.tickets.models import (
    MERCHANT_OPEN,
    OPEN_STATUSES,
    Status,
    Ticket,
    TicketClock,
    TicketEvent,
    TicketMessage,
)

MAX_PAGE = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Constants from the Status enum, never input.
OPEN_CONDITION = '"tickets_ticket"."status" IN ({})'.format(
    ", ".join(f"'{s.value}'" for s in MERCHANT_OPEN)
)


@dataclass(frozen=True)
class TicketFilters:
    status: Sequence[str] = ()
    priority: Sequence[str] = ()
    store: int | None = None
    team: int | None = None
    assignee: int | None = None
    breached: bool | None = None
    due_before: datetime | None = None
    unassigned: bool = False
    # The triage queue: new tickets, and those reopened after their due date passed (they
    # need a new due date; staff only).
    to_triage: bool = False
    # "newest" (by id, descending) or "due": the nearest pending deadline first, then the
    # tickets with none (paused, met, closed), oldest first.
    order: str = "newest"


ORDERS = ("newest", "due")


# The current clocks of a page of tickets (or of one): every list and ticket page reads them,
# hence one Prepared read (compiled once per page size).
_clocks_of_tickets: Prepared[TicketClock] = Prepared(
    lambda ticket_ids: TicketClock.objects.filter(
        ticket_id__in=ticket_ids, superseded_at__isnull=True
    ).order_by("ticket_id", "kind"),
    ticket_ids=[int],
    max_list=MAX_PAGE + 1,
)


def _attach_current_clocks(tickets: list[Ticket]) -> list[Ticket]:
    """Set ``current_clocks`` (the current clock of each kind, by kind) on loaded tickets: one
    read for all of them (``current_clock`` and the API's output read it)."""
    by_ticket: dict[int, list[TicketClock]] = {t.pk: [] for t in tickets}
    if tickets:
        for clk in _clocks_of_tickets(ticket_ids=list(by_ticket)):
            by_ticket[clk.ticket_id].append(clk)
    for t in tickets:
        t.current_clocks = by_ticket[t.pk]  # type: ignore[attr-defined]
    return tickets


def visible_tickets(user: User | None) -> QuerySet[Ticket]:
    return Ticket.objects.filter(ticket_access.ticket_scope(user))


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _unb64(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


def _bad_cursor() -> InvalidInput:
    return InvalidInput("the cursor is not one this API gave out", code="invalid_cursor")


def encode_cursor(ticket_id: int) -> str:
    return _b64(f"t{ticket_id}")


def decode_cursor(cursor: str) -> int:
    try:
        raw = _unb64(cursor)
        if not raw.startswith("t"):
            raise ValueError
        value = int(raw[1:])
        if value < 0:
            raise ValueError
        return value
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise _bad_cursor() from None


def encode_due_cursor(deadline: datetime | None, ticket_id: int) -> str:
    """After this ticket in the "due" order: its deadline (µs since the epoch, UTC) and id."""
    if deadline is None:
        return _b64(f"n{ticket_id}")
    stamp = round((deadline - EPOCH).total_seconds() * 1_000_000)
    return _b64(f"d{stamp}.{ticket_id}")


def decode_due_cursor(cursor: str) -> tuple[datetime | None, int]:
    try:
        raw = _unb64(cursor)
        if raw.startswith("n"):
            deadline, ticket = None, int(raw[1:])
        elif raw.startswith("d"):
            stamp, _, ticket_raw = raw[1:].partition(".")
            deadline, ticket = EPOCH + timedelta(microseconds=int(stamp)), int(ticket_raw)
        else:
            raise ValueError
        if ticket < 0:
            raise ValueError
        return deadline, ticket
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise _bad_cursor() from None


def _pending_clocks() -> QuerySet[TicketClock]:
    """A ticket's current clocks still running against a deadline."""
    return TicketClock.objects.filter(
        ticket=OuterRef("pk"),
        superseded_at__isnull=True,
        met_at__isnull=True,
        stopped_at__isnull=True,
        deadline__isnull=False,
    )


def ticket_list(
    *, user: User | None, filters: TicketFilters, cursor: str | None = None, limit: int = 50
) -> tuple[list[Ticket], str | None]:
    """A page of the tickets ``user`` may see, newest first; the cursor continues after it."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", code="invalid_limit")
    if (filters.team is not None or filters.assignee is not None) and not access.sees_internal(
        user
    ):
        # Assignment and teams are internal: filtering by them would reveal them.
        raise Forbidden("only staff filter by team or assignee", code="filter_forbidden")
    for value in (filters.store, filters.team, filters.assignee):
        if value is not None and not id_in_range(value):
            raise InvalidInput("ids are whole numbers from 1 to 2^63−1", code="invalid_id")
    qs = visible_tickets(user)
    if filters.status and set(filters.status) == set(MERCHANT_OPEN):
        # Written as literals, the very condition of the partial index `ticket_merchant_open_id`:
        # SQLite uses a partial index only when the query states its condition with constants
        # (bound parameters do not count), and without it the merchant's open tab walks past
        # every closed ticket of theirs (77 ms → 0.03 ms at 33,000 tickets).
        qs = qs.extra(where=[OPEN_CONDITION])  # noqa: S610 - constants of the Status enum only
    elif filters.status:
        qs = qs.filter(status__in=list(filters.status))
    if filters.priority:
        qs = qs.filter(priority__in=list(filters.priority))
    if filters.store is not None:
        qs = qs.filter(store_id=filters.store)
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    if filters.assignee is not None:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.unassigned:
        if not access.sees_internal(user):
            raise Forbidden("only staff filter by assignment", code="filter_forbidden")
        qs = qs.filter(assignee__isnull=True)
    if filters.to_triage:
        if not access.sees_internal(user):
            raise Forbidden("only staff filter the triage queue", code="filter_forbidden")
        qs = qs.filter(Q(status=Status.NEW) | Q(needs_due_date_since__isnull=False))
    if filters.breached is not None:
        ever = Exists(TicketClock.objects.filter(ticket=OuterRef("pk"), breached_at__isnull=False))
        qs = qs.filter(ever if filters.breached else ~ever)
    if filters.due_before is not None:
        qs = qs.filter(Exists(_pending_clocks().filter(deadline__lt=filters.due_before)))
    if filters.order not in ORDERS:
        raise InvalidInput(
            f"unknown order {filters.order!r}; one of: {', '.join(ORDERS)}", code="invalid_order"
        )
    if filters.order == "due":
        return _by_deadline(qs, cursor, limit)
    if cursor:
        qs = qs.filter(pk__lt=decode_cursor(cursor))
    rows = list(qs.select_related("store", "merchant").order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = _attach_current_clocks(rows[:limit])
    return rows, (encode_cursor(rows[-1].pk) if more and rows else None)


def _by_deadline(
    qs: QuerySet[Ticket], cursor: str | None, limit: int
) -> tuple[list[Ticket], str | None]:
    """The "due" order: open tickets with a pending deadline, nearest first (ties by id), then
    every other ticket (paused, met, closed), oldest first. The cursor carries the last row's
    deadline and id, or only its id in the second part.

    Two reads, each served by an index, instead of one sort of every ticket: the first starts
    from the open tickets (``ticket_status_id``, a merchant's ``ticket_merchant_open_id``) and
    reads their current clocks by ticket; the second walks the ids. A deadline is pending only
    on an open ticket, so the first part has as many rows as the backlog, however many tickets
    there are.
    """
    # The nearest pending deadline as a correlated subquery (an index look-up a ticket): as
    # EXISTS, PostgreSQL would hash every clock of every ticket to find the open ones' few.
    scoped = qs
    qs = qs.annotate(
        next_due=Subquery(_pending_clocks().order_by("deadline").values("deadline")[:1])
    )
    # Open and not waiting on the merchant (a paused clock has no deadline). The same status
    # condition as literals too: the partial index a merchant's open tickets are read by.
    in_due = Q(status__in=list(MERCHANT_OPEN), next_due__isnull=False)
    due = qs.filter(in_due).extra(where=[OPEN_CONDITION])  # noqa: S610 - constants only
    rest = qs.exclude(in_due)
    deadline, after = decode_due_cursor(cursor) if cursor else (None, 0)
    rows: list[Ticket] = []
    if cursor is None or deadline is not None:
        if deadline is not None:
            due = due.filter(Q(next_due__gt=deadline) | Q(next_due=deadline, pk__gt=after))
            after = 0
        # The ids first, then their rows: joined to stores for ``select_related``, SQLite
        # walked every ticket by store instead of the open ones by status (66 → 9 ms).
        found = list(due.order_by("next_due", "pk").values_list("pk", "next_due")[: limit + 1])
        by_id = scoped.select_related("store", "merchant").in_bulk([i for i, _ in found])
        for ticket_id, next_due in found:
            by_id[ticket_id].next_due = next_due  # type: ignore[attr-defined]
            rows.append(by_id[ticket_id])
    in_first_part = len(rows)
    if len(rows) <= limit:
        tail = rest.filter(pk__gt=after).select_related("store", "merchant").order_by("pk")
        rows += list(tail[: limit + 1 - len(rows)])
    page = _attach_current_clocks(rows[:limit])
    if len(rows) <= limit or not page:
        return page, None
    last = page[-1]
    # The cursor continues the part the last row came from: a row of the second part may
    # carry a deadline too (a closed ticket whose clock still runs), and must not send the
    # next page back into the first.
    deadline_of_last = getattr(last, "next_due", None) if len(page) <= in_first_part else None
    return page, encode_due_cursor(deadline_of_last, last.pk)


def ticket_get(*, user: User | None, ticket_id: int) -> Ticket:
    if not id_in_range(ticket_id):
        raise NotFound("ticket not found")
    found = list(visible_tickets(user).select_related("store", "merchant").filter(pk=ticket_id))
    if not found:
        raise NotFound("ticket not found")
    return _attach_current_clocks(found)[0]


def ticket_messages(*, user: User | None, ticket: Ticket) -> list[TicketMessage]:
    qs = TicketMessage.objects.filter(ticket=ticket).select_related("author").order_by("pk")
    if not access.sees_internal(user):
        qs = qs.filter(internal=False)
    return list(qs)


def ticket_events(*, user: User | None, ticket: Ticket) -> list[TicketEvent]:
    qs = TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("pk")
    if not access.sees_internal(user):
        # Merchants: the public events, and their own actions.
        qs = qs.filter(Q(public=True) | Q(actor=user, kind__in=[EventKind.MESSAGE]))
    return list(qs)


def current_clock(ticket: Ticket, kind: str) -> TicketClock | None:
    for clk in getattr(ticket, "current_clocks", None) or ticket.clocks.filter(
        superseded_at__isnull=True
    ):
        if clk.kind == kind:
            return clk
    return None


def tickets_count(*, user: User | None) -> int:
    return visible_tickets(user).count()


def open_ticket_for_store(*, store_id: int, issue_type: str) -> Ticket | None:
    """The newest open ticket of that issue type for the store (system use: the monitor joins
    a store-down outage to the ticket already open rather than opening another)."""
    return (
        Ticket.objects.filter(store_id=store_id, issue_type=issue_type, status__in=OPEN_STATUSES)
        .order_by("-id")
        .first()
    )


# ---------------------------------------------------------------- reads for other apps
# Unscoped system reads: the calling service has already decided who may act (docs/architecture.md
# rule 2: other apps read tickets through these, not through the models).


def message_by_id(message_id: int) -> TicketMessage | None:
    """A message with its author (notifications built from a ticket event)."""
    return TicketMessage.objects.filter(pk=message_id).select_related("author").first()


def tickets_of_store(store_id: int, ticket_ids: Collection[int]) -> list[Ticket]:
    """Those of ``ticket_ids`` that are tickets of the store (the rest are left out)."""
    return list(Ticket.objects.filter(pk__in=sorted(ticket_ids), store_id=store_id))


def tickets_by_ids(ticket_ids: Collection[int]) -> list[Ticket]:
    """The tickets, in id order, with what a notification about them reads (system use: a
    platform incident's linked tickets)."""
    return list(
        Ticket.objects.filter(pk__in=sorted(ticket_ids))
        .select_related("merchant", "store", "requester")
        .order_by("pk")
    )


def open_c1_ids_since(since: datetime) -> list[int]:
    """Open C1 tickets filed at or after ``since`` (a platform incident takes those of its
    storm filed before it was recognised)."""
    return list(
        Ticket.objects.filter(priority="C1", status__in=OPEN_STATUSES, created_at__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def first_response_settled(ticket_id: int) -> bool:
    """Staff met the ticket's first response, or its clock stopped (closed)."""
    return TicketClock.objects.filter(
        Q(met_at__isnull=False) | Q(stopped_at__isnull=False),
        ticket_id=ticket_id,
        kind="first_response",
    ).exists()


# Mail ingestion asks this for every reply that names a reference, hence a Prepared read.
_referenced_ticket: Prepared[Ticket] = Prepared(
    lambda numbers, merchant_id: (
        Ticket.objects.filter(pk__in=numbers, merchant_id=merchant_id)
        .select_related("store", "merchant")
        .order_by("-pk")[:1]
    ),
    numbers=[int],
    merchant_id=int,
)


def referenced_ticket(*, numbers: list[int], merchant_id: int) -> Ticket | None:
    """The newest of these ticket numbers that is the merchant's (a subject's references)."""
    return next(iter(_referenced_ticket(numbers=numbers, merchant_id=merchant_id)), None)


def linked_tickets() -> QuerySet[Ticket]:
    """Tickets with their store, by number: what a developer ticket prefetches."""
    return Ticket.objects.select_related("store").order_by("pk")


def open_tickets_of_stores(store_ids: Collection[int], *, limit: int) -> list[Ticket]:
    """The newest ``limit`` open tickets of these stores, each with ``current_clocks`` and
    ``breached`` (one of them is): an account manager's home."""
    tickets = _attach_current_clocks(
        list(
            Ticket.objects.filter(store_id__in=sorted(store_ids), status__in=OPEN_STATUSES)
            .select_related("store", "merchant")
            .order_by("-pk")[:limit]
        )
    )
    for ticket in tickets:
        ticket.breached = any(  # type: ignore[attr-defined]
            clk.breached_at is not None
            for clk in ticket.current_clocks  # type: ignore[attr-defined]
        )
    return tickets


def tickets_breached_since(since: datetime) -> int:
    """How many tickets had a target breached at or after ``since`` (the admin's desk health:
    "breaches today"); one count on the clocks' breach column."""
    return TicketClock.objects.filter(breached_at__gte=since).values("ticket_id").distinct().count()


# ---------------------------------------------------------------- reads for routing


# Routing asks for the loads of every ticket it places: compiled once per number of people
# (up to a desk of 1,000 on shift; more go through the ORM).
_open_counts: Prepared[tuple[int, str, int]] = Prepared(
    lambda user_ids: (
        Ticket.objects.filter(assignee_id__in=user_ids, status__in=OPEN_STATUSES)
        .values_list("assignee_id", "priority")
        .annotate(n=Count("*"))
        .order_by()
    ),
    user_ids=[int],
    max_list=1000,
)


def open_loads(user_ids: Collection[int], weights: Mapping[str, int]) -> dict[int, int]:
    """Each person's weighted open load (``weights``: priority → weight, others 1), by user id:
    one count per (person, priority) over their open tickets, read from the covering index
    ``ticket_assignee_load`` alone (people with none are absent)."""
    if not user_ids:
        return {}
    rows = _open_counts(user_ids=sorted(user_ids))
    loads: dict[int, int] = {}
    for assignee_id, priority, n in rows:
        loads[assignee_id] = loads.get(assignee_id, 0) + weights.get(priority, 1) * n
    return loads


def open_assigned(user_id: int) -> list[Ticket]:
    """The open tickets assigned to ``user_id``, oldest first, each with ``next_deadline``: the
    nearest deadline of its pending targets (None: none is running)."""
    nearest = _pending_clocks().filter(breached_at__isnull=True).order_by("deadline")
    return list(
        Ticket.objects.filter(assignee_id=user_id, status__in=OPEN_STATUSES)
        .annotate(next_deadline=Subquery(nearest.values("deadline")[:1]))
        .order_by("pk")
    )


ROUTING_KINDS = (EventKind.ASSIGNEE, EventKind.UNROUTED)


def routing_reasons(ticket_ids: Collection[int]) -> dict[int, str]:
    """The reason of the last assignment or routing decision of each ticket (the console's
    "why is this unassigned"), by ticket id; tickets without one are absent."""
    events = TicketEvent.objects.filter(
        ticket_id__in=sorted(ticket_ids), kind__in=ROUTING_KINDS
    ).order_by("ticket_id", "id")
    return {e.ticket_id: e.reason for e in events.only("ticket_id", "reason")}


def waiting_in_queues(*, limit: int) -> list[tuple[int, int | None]]:
    """Open tickets routing left unassigned (their last routing event is ``unrouted``; one a
    person unassigned is not), most urgent then oldest first: ``limit`` (id, team id)."""
    last = (
        TicketEvent.objects.filter(ticket_id=OuterRef("pk"), kind__in=ROUTING_KINDS)
        .order_by("-id")
        .values("kind")[:1]
    )
    return list(
        Ticket.objects.filter(assignee_id__isnull=True, status__in=OPEN_STATUSES)
        .annotate(last_routing=Subquery(last))
        .filter(last_routing=EventKind.UNROUTED)
        .order_by("priority", "pk")
        .values_list("pk", "team_id")[:limit]
    )


def unrouted_told(ticket_id: int) -> bool:
    """Whether someone was already told that routing found nobody for this ticket."""
    return TicketEvent.objects.filter(
        ticket_id=ticket_id, kind=EventKind.UNROUTED, after__notify=True
    ).exists()


def assignment_reasons(ticket_id: int) -> list[str]:
    """The reasons of every assignment of the ticket, oldest first."""
    return list(
        TicketEvent.objects.filter(ticket_id=ticket_id, kind=EventKind.ASSIGNEE)
        .order_by("id")
        .values_list("reason", flat=True)
    )
