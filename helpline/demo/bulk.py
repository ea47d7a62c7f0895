"""Demo data at volume: the bulk path of ``helpline demo`` (see ``demo.loader``'s docstring).

It writes the rows the services would write for a ticket's whole life, in batches planned in
worker processes and inserted with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), because a
service call costs milliseconds and 100,000 tickets would take the better part of an hour.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import DateTimeField, DurationField, JSONField, Max, Model

from helpline.accounts.models import User
from helpline.core import bulk_load
from helpline.demo.loader import (
    AGENTS,
    AUTO_CLOSE,
    BULK_BATCH,
    BULK_PER_DAY,
    MERCHANTS,
    TEMPLATES,
    Cast,
    Progress,
    _rating,
    _values,
)
from helpline.reports import search_index
from helpline.sla import business_time as sla_clock
from helpline.sla import selectors as sla_selectors
from helpline.sla.business_time import BusinessCalendar
from helpline.sla.defaults import FIRST_RESPONSE, RESOLUTION
from helpline.sla.policy import TargetSpec
from helpline.tickets import clocks
from helpline.tickets.clocks import iso
from helpline.tickets.models import (
    Channel,
    MessageKind,
    Status,
    Ticket,
    TicketClock,
    TicketEvent,
    TicketMessage,
)


def _bulk_span(count: int) -> timedelta:
    return timedelta(days=max(30, count // BULK_PER_DAY)) if count else timedelta(0)


MESSAGES_PER_BULK_TICKET = 5
EXCHANGE = ("merchant", "followup", "thanks")  # the template's texts between answer and fix
Rows = list[tuple[Any, ...]]
# A message before it has ids: author id, kind, body, from staff, channel, created at.
PlannedMessage = tuple[int, str, str, bool, str, datetime]
# An event before it has ids: kind, actor id, before, after, reason, public, at, and the index
# of the message it names (if any).
PlannedEvent = tuple[str, int | None, Any, Any, str, bool, datetime, int | None]


@dataclass
class _Plan:
    """One bulk ticket's rows before they have ids."""

    ticket: Ticket
    clocks: list[TicketClock]
    calendars: dict[str, Any]  # the planner's, by slug (no query in a worker process)
    messages: list[PlannedMessage] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)

    def event(
        self,
        kind: str,
        actor: User | None,
        at: datetime,
        after: Any = None,
        *,
        before: Any = None,
        reason: str = "",
        message: int | None = None,
    ) -> None:
        """A public event (the internal ones — assignee, team, sla_* — are written directly)."""
        actor_id = None if actor is None else actor.pk
        self.events.append((kind, actor_id, before, after, reason, True, at, message))

    def record_passed(self, at: datetime, *, warn_now: bool = True) -> None:
        """What every service call does first: warnings and breaches whose instant has come
        (``warn_now=False`` before a reply meets a target: one met at its warning instant raises
        no warning)."""
        for clk in self.clocks:
            if clk.segment_started_at is None:  # met: ``clocks.record_passed`` has nothing to say
                continue
            cal = self.calendars[clk.calendar]
            for e in clocks.record_passed(self.ticket, clk, at, warn_now=warn_now, calendar=cal):
                when = e.at or at
                self.events.append(
                    (e.kind, None, e.before, e.after, e.reason, e.public, when, None)
                )
        due = self.ticket.due_at  # then the due date, passed with the (open) ticket
        if due is not None and due <= at and self.ticket.due_passed_at is None:
            self.events.append(
                ("due_passed", None, None, {"due_at": iso(due)}, "", False, due, None)
            )
            self.ticket.due_passed_at = due


class _Bulk:
    """Plans bulk tickets; pure (no query), so that worker processes can run it."""

    def __init__(self, cast: Cast, start: datetime, now: datetime) -> None:
        self.cast = cast
        self.rng = random.Random(0)  # noqa: S311 - each batch sets its own seed
        self.policy = policy = sla_selectors.current_policy()
        self.calendars = {
            slug: sla_selectors.business_calendar(policy, slug, start, now)
            for slug in policy.calendars
        }
        self.templates = {
            m.slug: [t for t in TEMPLATES if t.only in ("", m.slug)] for m in MERCHANTS
        }
        self.targets = {
            (t.issue_type, p): policy.targets_for(p, t.issue_type)
            for t in TEMPLATES
            for p in policy.priorities
        }

    def _clock(self, ticket: Ticket, spec: TargetSpec, at: datetime) -> TicketClock:
        """What ``clocks.new_clock`` makes, laid out on the calendar built once."""
        cal = self.calendars[spec.calendar]
        first = next(iter(self.policy.warning_steps(ticket.priority)), None)  # the chain's
        share = first.percent if first else 0
        warn = timedelta(seconds=int(spec.length.total_seconds()) * share // 100)
        return TicketClock(
            kind=spec.kind,
            priority=ticket.priority,
            calendar=spec.calendar,
            length=spec.length,
            started_at=at,
            segment_started_at=at,
            consumed=clocks.ZERO,
            wall_consumed=clocks.ZERO,
            deadline=sla_clock.add_business_time(cal, at, spec.length),
            warn_at=sla_clock.add_business_time(cal, at, warn) if first else None,
        )

    def _meet(self, plan: _Plan, clk: TicketClock, at: datetime) -> None:
        """What ``clocks.meet`` does (after recording what has passed), on the calendar built
        once."""
        start = clk.segment_started_at
        if clk.met_at is not None or start is None:
            return
        clk.consumed += sla_clock.business_time_between(self.calendars[clk.calendar], start, at)
        clk.wall_consumed += at - start
        clk.segment_started_at, clk.warn_at, clk.met_at = None, None, at
        clk.taken_business, clk.taken_wall = clk.consumed, clk.wall_consumed
        after = {
            "target": clk.kind,
            "priority": clk.priority,
            "business_seconds": int(clk.consumed.total_seconds()),
            "wall_seconds": int(clk.wall_consumed.total_seconds()),
            "late": clk.breached_at is not None,
        }
        plan.events.append(("sla_met", None, None, after, "", False, at, None))

    def _after(
        self, cal: BusinessCalendar, at: datetime, spec: TargetSpec, low: float, high: float
    ) -> datetime:
        return sla_clock.add_business_time(cal, at, spec.length * self.rng.uniform(low, high))

    def plan(self, opened: datetime) -> _Plan:
        """A whole life, as the services would record it: opened, triaged, answered, two
        exchanges, resolved, closed by the merchant (rated) or automatically after 7 days."""
        rng, cast = self.rng, self.cast
        slug = rng.choices([m.slug for m in MERCHANTS], weights=[m.weight for m in MERCHANTS])[0]
        template, store = rng.choice(self.templates[slug]), rng.choice(cast.stores[slug])
        requester, lead = cast.people[rng.choice(cast.users_of[slug])], cast.people["meera"]
        managed = store.account_manager_id is not None
        assignee = cast.people["rohan" if managed and rng.random() < 0.25 else rng.choice(AGENTS)]
        values = _values(rng, store)
        priority = self.policy.issue_types[template.issue_type].default_priority
        channel = Channel.PORTAL if rng.random() < 0.7 else Channel.API
        ticket = Ticket(
            merchant_id=store.merchant_id,
            store_id=store.pk,
            requester_id=requester.pk,
            team_id=cast.team.pk,
            assignee_id=assignee.pk,
            subject=template.text("subject", values)[:200],
            description=template.text("description", values),
            issue_type=template.issue_type,
            priority=priority,
            status=Status.CLOSED,
            channel=channel,
            policy_version_id=self.policy.version_id,
            created_at=opened,
        )
        specs = self.targets[(template.issue_type, priority)]
        first = self._clock(ticket, specs[FIRST_RESPONSE], opened)
        resolution = self._clock(ticket, specs[RESOLUTION], opened)
        fr_cal, res_cal = self.calendars[first.calendar], self.calendars[resolution.calendar]
        plan = _Plan(ticket, [first, resolution], self.calendars)

        def say(at: datetime, author: User, body: str, kind: str = MessageKind.REPLY) -> None:
            staff = author is not requester
            plan.record_passed(at, warn_now=not staff)
            # Staff write through the API (as the services' resolve does), merchants on their
            # ticket's channel.
            plan.messages.append(
                (author.pk, kind, body, staff, Channel.API if staff else channel, at)
            )
            after = {"kind": kind, "question": False, "from_staff": staff}
            plan.event("message", author, at, after, message=len(plan.messages) - 1)
            if staff:
                self._meet(plan, first, at)

        def status(at: datetime, actor: User | None, old: str, new: str, reason: str = "") -> None:
            plan.event("status", actor, at, new, before=old, reason=reason)

        created = {
            "status": Status.NEW,
            "priority": priority,
            "issue_type": template.issue_type,
            "channel": channel,
            "first_response_due": iso(first.deadline),
            "resolution_due": iso(resolution.deadline),
            "policy_version": self.policy.number,
        }
        plan.event("created", requester, opened, created)
        # Triage early in the first-response target: assignee, team, the policy's due date.
        t = self._after(fr_cal, opened, specs[FIRST_RESPONSE], 0.02, 0.3)
        plan.record_passed(t)
        plan.events.append(("assignee", lead.pk, None, assignee.pk, "", False, t, None))
        plan.events.append(("team", lead.pk, None, cast.team.pk, "", False, t, None))
        plan.event("due_date", lead, t, iso(resolution.deadline))
        ticket.due_at = ticket.first_due_at = resolution.deadline
        status(t, lead, Status.NEW, Status.TRIAGED)
        # The answer usually within the first-response target, sometimes late; the resolution
        # usually within its target (10 % late), the exchanges in between.
        share = (1.05, 2.0) if rng.random() < 0.07 else (0.3, 0.95)
        answer = self._after(fr_cal, opened, specs[FIRST_RESPONSE], *share)
        answer = max(answer, t + timedelta(minutes=1))
        share = (1.05, 1.6) if rng.random() < 0.1 else (0.25, 0.95)
        resolved = self._after(res_cal, opened, specs[RESOLUTION], *share)
        resolved = max(min(resolved, opened + timedelta(days=14)), answer + timedelta(minutes=10))
        gap = resolved - answer
        say(answer, assignee, template.text("reply", values))
        marks = sorted(rng.uniform(0.1, 0.9) for _ in range(3))
        for mark, author, name in zip(
            marks, (requester, assignee, requester), EXCHANGE, strict=True
        ):
            say(answer + gap * mark, author, template.text(name, values))
        say(resolved, assignee, template.text("resolution", values), MessageKind.RESOLUTION)
        self._meet(plan, resolution, resolved)
        plan.event("resolved", assignee, resolved)
        status(resolved, assignee, Status.TRIAGED, Status.RESOLVED)
        if rng.random() < 0.8:
            closed = resolved + timedelta(minutes=rng.randint(30, 7200))
            ticket.rating, ticket.rating_comment = _rating(rng)
            rating = {"rating": ticket.rating, "comment": ticket.rating_comment}
            plan.event("rating", requester, closed, rating)
            status(closed, requester, Status.RESOLVED, Status.CLOSED)
        else:
            closed = resolved + timedelta(days=7)
            status(closed, None, Status.RESOLVED, Status.CLOSED, AUTO_CLOSE)
        ticket.resolved_at = resolved
        ticket.closed_at = ticket.updated_at = closed
        return plan


_MAKER: _Bulk | None = None  # set before the worker processes fork; they inherit it


@dataclass(frozen=True)
class _Job:
    seed: int
    first_ticket_id: int
    first_message_id: int
    opened: list[datetime]


def _bulk(
    cast: Cast, *, count: int, rng: random.Random, end: datetime, now: datetime, progress: Progress
) -> None:
    """Plan and write ``count`` closed tickets opened over the span before ``end``.

    Batches are planned (and their rows built) in worker processes when the machine has
    several cores — the planning is pure Python and as costly as the inserts — while this
    process inserts. Each batch has its own seed and its own id range, so the rows are the same
    whichever process builds them, in whatever order they finish.
    """
    global _MAKER
    start = end - _bulk_span(count)
    ist, span = ZoneInfo("Asia/Kolkata"), int((end - start).total_seconds())
    opened = []
    for _ in range(count):  # most tickets in Indian working hours, the rest at any time
        at = start + timedelta(seconds=rng.randrange(span))
        if rng.random() < 0.75:
            at = at.astimezone(ist).replace(hour=rng.randint(9, 20), minute=rng.randrange(60))
        opened.append(min(max(at, start), end))
    opened.sort()  # ids ascend with time
    tables = [Ticket._meta.db_table, TicketMessage._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the ids below are ours until commit
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")
        elif connection.vendor == "sqlite":  # the indexes outgrow the default 2 MB page cache
            cursor.execute("PRAGMA cache_size = -262144")
    ticket_id = (Ticket.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    message_id = (TicketMessage.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    jobs = [
        _Job(rng.getrandbits(64), ticket_id + i, message_id + i * MESSAGES_PER_BULK_TICKET, batch)
        for i in range(0, count, BULK_BATCH)
        for batch in [opened[i : i + BULK_BATCH]]
    ]
    _MAKER = _Bulk(cast, start, now)
    # PostgreSQL: foreign keys checked once at the end, search documents a batch at a time
    # (decision 0082); both leave the tables as they were when the block ends.
    try:
        with bulk_load.foreign_keys_checked_once(*BULK_MODELS), search_index.bulk_load() as index:
            for job, rows in zip(jobs, _planned(jobs), strict=True):
                for model, columns, table_rows in zip(BULK_MODELS, _columns(), rows, strict=True):
                    _insert(model, columns, table_rows)
                index.add_tickets(job.first_ticket_id, job.first_ticket_id + len(job.opened) - 1)
                progress(len(job.opened))
    finally:
        _MAKER = None
    with connection.cursor() as cursor:  # PostgreSQL: move the sequences past our ids
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, TicketMessage]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            # Statistics now, not when autovacuum comes round: without them the planner takes a
            # merchant for ~60 tickets and sorts all 60,000 for a page of their list (80 ms at
            # 100,000 tickets) instead of walking the (merchant, -id) index (0.2 ms).
            cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in BULK_MODELS)}")


def _planned(jobs: list[_Job]) -> Iterator[list[Rows]]:
    """Each job's rows, in order: from forked workers, a few jobs ahead, or in this process."""
    processes = min(os.cpu_count() or 1, 4)
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods() or len(jobs) < 2:
        yield from map(_rows_for, jobs)
        return
    # The workers only compute (they never touch the database connection they inherit).
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending: deque[AsyncResult[list[Rows]]] = deque()
        queue = iter(jobs)
        for job in islice(queue, 2 * processes):
            pending.append(pool.apply_async(_rows_for, (job,)))
        while pending:
            rows = pending.popleft().get()
            for job in islice(queue, 1):
                pending.append(pool.apply_async(_rows_for, (job,)))
            yield rows


BULK_MODELS: tuple[type[Model], ...] = (Ticket, TicketClock, TicketMessage, TicketEvent)


def _columns() -> list[list[str]]:
    ticket = [f.attname for f in Ticket._meta.concrete_fields]
    clock = [f.attname for f in TicketClock._meta.concrete_fields if not f.primary_key]
    message = ["id", "ticket_id", "author_id", "kind", "body", "from_staff", "channel"]
    event = ["ticket_id", "actor_id", "kind", "before", "after", "reason", "public"]
    return [ticket, clock, [*message, "created_at"], [*event, "created_at"]]


def _rows_for(job: _Job) -> list[Rows]:
    """Plan a batch and build its rows, values as the database takes them."""
    maker = _MAKER
    if maker is None:
        raise RuntimeError("_rows_for runs inside _bulk only")
    maker.rng = random.Random(job.seed)  # noqa: S311 - demo data, not secrets
    tickets: Rows = []
    clock_rows: Rows = []
    messages: Rows = []
    events: Rows = []
    ticket_columns, clock_columns, *_ = _columns()
    for n, at in enumerate(job.opened):
        plan = maker.plan(at)
        ticket = plan.ticket
        ticket.pk = job.first_ticket_id + n
        tickets.append(tuple(getattr(ticket, c) for c in ticket_columns))
        for clk in plan.clocks:
            clk.ticket_id = ticket.pk
            clock_rows.append(tuple(getattr(clk, c) for c in clock_columns))
        first_message = job.first_message_id + n * MESSAGES_PER_BULK_TICKET
        if len(plan.messages) != MESSAGES_PER_BULK_TICKET:  # the message ids count on it
            raise RuntimeError(f"a bulk ticket has {MESSAGES_PER_BULK_TICKET} messages")
        for k, (author, kind, body, staff, channel, created) in enumerate(plan.messages):
            messages.append(
                (first_message + k, ticket.pk, author, kind, body, staff, channel, created)
            )
        for kind, actor, before, after, reason, public, when, message in plan.events:
            if message is not None:
                after = {"message_id": first_message + message, **after}
            events.append((ticket.pk, actor, kind, before, after, reason, public, when))
    stamps: dict[datetime, Any] = {}  # the instants repeat: a message, its event, its sla_met
    return [
        _adapted(model, columns, rows, stamps)
        for model, columns, rows in zip(
            BULK_MODELS, _columns(), [tickets, clock_rows, messages, events], strict=True
        )
    ]


def _adapted(
    model: type[Model], columns: list[str], rows: Rows, stamps: dict[datetime, Any]
) -> Rows:
    """The rows with each value as the field would send it (``get_db_prep_save``), column by
    column; the columns not given get their default."""
    if not rows:
        return rows
    db = connections[DEFAULT_DB_ALIAS]  # read for its vendor and zone only: no query here
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    values: list[Sequence[Any]] = list(zip(*rows, strict=True))
    sqlite_utc = db.vendor == "sqlite" and db.timezone_name == "UTC"
    for i, f in enumerate(by_attname[c] for c in columns):
        if isinstance(f, DateTimeField):
            adapt = _sqlite_datetime if sqlite_utc else db.ops.adapt_datetimefield_value
            column = []
            for v in values[i]:
                if v not in stamps:
                    stamps[v] = adapt(v)
                column.append(stamps[v])
            values[i] = column
        elif isinstance(f, JSONField):  # the text Django's JSON adapters send, on both engines
            values[i] = [None if v is None else json.dumps(v, cls=f.encoder) for v in values[i]]
        elif isinstance(f, DurationField):
            values[i] = [f.get_db_prep_save(v, db) for v in values[i]]
    rest = [
        f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key
    ]
    values += [[f.get_db_prep_save(f.get_default(), db)] * len(rows) for f in rest]
    return list(zip(*values, strict=True))


def _insert(model: type[Model], columns: list[str], rows: Rows) -> None:
    """INSERT ready rows: COPY on PostgreSQL (executemany there is a round trip a row),
    executemany on SQLite."""
    if not rows:
        return
    meta = model._meta
    given = set(columns)
    rest = [f.attname for f in meta.concrete_fields if f.attname not in given and not f.primary_key]
    by_attname = {f.attname: f for f in meta.concrete_fields}
    qn = connection.ops.quote_name
    # Names from the model's own metadata, quoted; every value is a parameter.
    names = ", ".join(qn(by_attname[c].column or c) for c in [*columns, *rest])
    target = f"{qn(meta.db_table)} ({names})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {target} VALUES ({marks})", rows)  # noqa: S608


def _sqlite_datetime(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime when the database's zone is
    UTC (``str`` of the naive UTC value), at half the cost."""
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))
