"""A simulated week of routing on an injected clock (every service is given ``now``): shared by
``bench/routing_week.py`` (the full week) and ``test_week.py`` (a smaller one).

Six agents in two teams (Support: the default; Apps: app-submission and store-down), IST
shifts, one agent on leave mid-week, an on-call rota covering every hour outside business
hours; tickets arrive on a working-day curve, 40 C1s outside business hours, mails from unknown
senders (flagged on the store at their domain) and a forged "System Down" burst from one
domain. Each hour every agent on shift answers and resolves a few of their oldest tickets, the
clocks' sweep runs, and the spread of weighted load across agents on shift is read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from zoneinfo import ZoneInfo

from django.test import override_settings

IST = ZoneInfo("Asia/Kolkata")
MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=IST)  # no holiday that week
H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
STEP = timedelta(minutes=15)
# About a day's work at the week's pace (decision 0185; 0134 had four hours: 100).
CAPACITY = 200
ALARMS = ("sla_warning", "sla_breached")


@dataclass
class Week:
    tickets: int = 2000
    night_c1: int = 40
    unknown_mails: int = 200
    forged: int = 50
    days: int = 7
    # What one agent present gets through in an hour, in weighted load (C1 4 … C4 1): 24 is
    # the week's average demand for six agents (decision 0134); 28 (7 a quarter-hour, about
    # 11 tickets an hour) carries the business-hours peak with one of Support on leave
    # (decision 0185).
    work_per_hour: int = 28
    capacity: int = CAPACITY
    seed: int = 1


@dataclass
class Figures:
    on_shift_arrivals: int = 0
    on_shift_owned: int = 0
    c1: int = 0
    c1_owned: int = 0
    max_spread: int = 0
    spread_hours: int = 0
    spreads: list[int] = field(default_factory=list)
    auto_assigned: int = 0
    to_least_loaded: int = 0
    rebalanced: int = 0
    max_load: int = 0
    within_one: int = 0
    warned_or_breached: int = 0
    told_nobody: int = 0
    forged_pages: int = 0
    forged_c1: int = 0
    unassigned_reasons: dict[str, int] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, str]]:
        pct = lambda a, b: f"{100 * a / b:.1f} % ({a:,} of {b:,})" if b else "—"  # noqa: E731
        return [
            (
                "owned within 60 s while the team is on shift",
                pct(self.on_shift_owned, self.on_shift_arrivals),
                "100 %",
            ),
            ("C1 owned within 60 s, any hour", pct(self.c1_owned, self.c1), "100 %"),
            (
                "max weighted-load spread, agents on shift, hourly",
                f"{self.max_spread} (over {self.spread_hours} hours)",
                "±1",
            ),
            (
                "hours every team's spread is within one ticket (≤ 1, or no lighter ticket held)",
                pct(self.within_one, self.spread_hours),
                "100 %",
            ),
            (
                "weighted-load spread, agents on shift, hourly: median / 90th percentile",
                f"{_pct(self.spreads, 50)} / {_pct(self.spreads, 90)}",
                "",
            ),
            (
                "placed on a team member with the least weighted load then",
                pct(self.to_least_loaded, self.auto_assigned),
                "100 %",
            ),
            ("tickets moved to even out loads (decision 0185)", f"{self.rebalanced:,}", ""),
            ("largest weighted open load of an agent, hourly", str(self.max_load), ""),
            (
                "warnings/breaches that notified nobody",
                f"{self.told_nobody} of {self.warned_or_breached}",
                "0",
            ),
            (
                "forged burst: tickets paged for (one an hour a domain) / opened at C1",
                f"{self.forged_pages} / {self.forged_c1}",
                "1 an hour / 0",
            ),
        ]


def _pct(values: list[int], p: int) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    return str(ordered[min(len(ordered) - 1, len(ordered) * p // 100)])


def _mail(sender: str, subject: str, at: datetime) -> bytes:
    msg = EmailMessage()
    # As the MTA every test trusts hands it over: forged senders are strangers here, and a
    # stranger's mail is not checked (mail.senderauth).
    domain = sender.rsplit("@", 1)[-1]
    msg["Authentication-Results"] = f"mx.helpline.test; dmarc=pass header.from={domain}"
    msg["From"], msg["To"], msg["Subject"] = sender, "support@helpline.test", subject
    msg["Date"], msg["Message-ID"] = format_datetime(at), make_msgid(domain="mua.test")
    msg.set_content("Our store is affected, please look.\n")
    return bytes(msg)


# Staffed as the arrivals are split (decision 0185): Support takes three tickets in four (the
# default team), Apps the rest; shifts overlap over the business-hours peak.
SUPPORT = 4
SPANS = [
    (time(7), time(15)),
    (time(10), time(18)),
    (time(13), time(21)),
    (time(10), time(18)),
    (time(10), time(18)),
    (time(13), time(21)),
]


def _desk(capacity: int) -> dict[str, Any]:
    from helpline.accounts import services as accounts
    from helpline.merchants import services as merchants
    from helpline.outbox.models import OnCallShift
    from helpline.routing.models import AgentProfile, Leave, Shift, TeamRoute

    t0 = MONDAY - timedelta(days=7)
    people = [
        accounts.user_create(email=f"agent{i}@helpline.test", role="agent", first_name=f"Agent{i}")
        for i in range(6)
    ]
    support = accounts.team_create(name="Support", lead=people[0], members=people[:SUPPORT])
    apps = accounts.team_create(name="Apps", lead=people[SUPPORT], members=people[SUPPORT:])
    TeamRoute.objects.create(team=support, issue_type="")
    for code in ("app-submission", "store-down"):
        TeamRoute.objects.create(team=apps, issue_type=code)
    skills = [
        "functionality",
        "feature-broken",
        "transactions-failing",
        "reports-no-data",
        "ui-design",
        "admin-unavailable",
        "app-submission",
        "store-down",
    ]
    for i, user in enumerate(people):
        AgentProfile.objects.create(user=user, skills=skills, languages=["en"], capacity=capacity)
        start, end = SPANS[i]
        for d in range(6):
            Shift.objects.create(user=user, weekday=d, start=start, end=end)
    Leave.objects.create(user=people[1], starts_on=date(2026, 12, 2), ends_on=date(2026, 12, 3))
    for d in range(7):  # nights (18:00 → 10:00), and the weekend's days
        OnCallShift.objects.create(
            user=people[d % 2 * 3], weekday=d, start=time(18), end=time(10), zone="Asia/Kolkata"
        )
        if d >= 5:
            OnCallShift.objects.create(
                user=people[4], weekday=d, start=time(10), end=time(18), zone="Asia/Kolkata"
            )
    merchant = merchants.merchant_create(name="Acme", slug="acme", now=t0)
    forged = merchants.merchant_create(name="Forged", slug="forged", now=t0)
    contact = accounts.user_create(
        email="owner@acme.test", role="merchant", merchant_id=merchant.pk
    )
    stores = [
        merchants.store_create(
            merchant=merchant, name=f"Store {i}", url=f"https://s{i}.acme.test", now=t0
        )
        for i in range(3)
    ]
    merchants.store_create(merchant=forged, name="Forged", url="https://forged.test", now=t0)
    return {
        "carry": {},
        "people": people,
        "teams": {support.pk: people[:SUPPORT], apps.pk: people[SUPPORT:]},
        "capacity": capacity,
        "stores": stores,
        "contact": contact,
    }


def _arrivals(week: Week, rng: random.Random) -> list[tuple[datetime, str]]:
    """(instant, kind) for every ticket: a working-day curve for the regular ones."""
    span = week.days * 24
    hours = [MONDAY + h * H for h in range(span)]
    weights = [
        (3.0 if 10 <= t.hour < 18 and t.weekday() < 5 else 0.6 if 8 <= t.hour < 22 else 0.15)
        for t in hours
    ]
    night = [t for t in hours if not (10 <= t.hour < 18 and t.weekday() < 5)]
    regular = week.tickets - week.night_c1 - week.unknown_mails - week.forged
    out = [(rng.choices(hours, weights)[0] + rng.random() * H, "regular") for _ in range(regular)]
    out += [(rng.choice(night) + rng.random() * H, "night_c1") for _ in range(week.night_c1)]
    out += [
        (rng.choices(hours, weights)[0] + rng.random() * H, "unknown")
        for _ in range(week.unknown_mails)
    ]
    burst = MONDAY + timedelta(days=min(2, week.days - 1), hours=23)  # Wednesday 23:00 IST
    out += [(burst + i * 7 * timedelta(seconds=1), "forged") for i in range(week.forged)]
    return sorted(out)


def _open(kind: str, at: datetime, desk: dict[str, Any], rng: random.Random) -> Any:
    from helpline.mail.services import mail_ingest
    from helpline.tickets import services as tickets
    from helpline.tickets.models import Ticket

    if kind in ("unknown", "forged"):
        sender = (
            f"someone{rng.randrange(10**6)}@s{rng.randrange(3)}.acme.test"
            if kind == "unknown"
            else "ceo@forged.test"
        )
        subject = "Reports look wrong" if kind == "unknown" else "SYSTEM DOWN urgent"
        result = mail_ingest(_mail(sender, subject, at), source="sim", now=at)
        return Ticket.objects.get(pk=int(result.reference.removeprefix("HL-")))
    issue = (
        "store-down"
        if kind == "night_c1"
        else rng.choice(["functionality", "feature-broken", "app-submission", "reports-no-data"])
    )
    return tickets.ticket_create(
        actor=desk["contact"],
        store=rng.choice(desk["stores"]),
        subject="Something is wrong",
        description="Please help.",
        issue_type=issue,
        priority="C1" if kind == "night_c1" else None,
        channel="portal",
        now=at,
    )


def _present(desk: dict[str, Any], at: datetime) -> set[int]:
    """Who of the desk is present (on shift, available, not on leave) at ``at``: shifts and
    leave turn on whole IST hours, so it is read once an hour (``routing.absent``) and kept."""
    from helpline.routing import assignment as routing

    hour = at.astimezone(IST).replace(minute=0, second=0, microsecond=0)
    cache = desk.setdefault("present", {})
    if hour not in cache:
        cache[hour] = {u.pk for u in desk["people"] if routing.absent(u.pk, hour) is None}
    return cache[hour]


def _work(desk: dict[str, Any], at: datetime, budget: int) -> None:
    """Every agent present works through their open tickets, most urgent then oldest, as far
    as ``budget`` (weighted load: a C1 takes four times a C4's time) goes."""
    from helpline.routing.decide import weight
    from helpline.tickets import services as tickets
    from helpline.tickets.models import OPEN_STATUSES, Ticket

    here = _present(desk, at - STEP)  # who worked the quarter that ends at ``at``
    for user in desk["people"]:
        if user.pk not in here:
            continue
        left = budget + desk["carry"].get(user.pk, 0)
        for ticket in Ticket.objects.filter(assignee=user, status__in=OPEN_STATUSES).order_by(
            "priority", "pk"
        ):
            if weight(ticket.priority) > left:
                break
            tickets.ticket_resolve(actor=user, ticket=ticket, message="Fixed.", now=at)
            left -= weight(ticket.priority)
        desk["carry"][user.pk] = min(left, budget)  # a heavy ticket started now ends later


def _spread(desk: dict[str, Any], at: datetime) -> tuple[int | None, bool, int]:
    """The largest (max − min) weighted load among a team's agents present at ``at``; whether
    every team's is within one ticket (at most 1, or no heavier than the lightest open ticket
    the most loaded holds: no single ticket moved would narrow it); the largest load then."""
    from helpline.routing.decide import WEIGHTS, weight
    from helpline.tickets import selectors
    from helpline.tickets.models import OPEN_STATUSES, Ticket

    spreads, within = [], True
    present = _present(desk, at)
    for members in desk["teams"].values():
        here = [u.pk for u in members if u.pk in present]
        if len(here) >= 2:
            loads = selectors.open_loads(here, WEIGHTS)
            top = max(here, key=lambda pk: loads.get(pk, 0))
            gap = loads.get(top, 0) - min(loads.get(pk, 0) for pk in here)
            held = Ticket.objects.filter(assignee_id=top, status__in=OPEN_STATUSES)
            lightest = min((weight(p) for p in held.values_list("priority", flat=True)), default=0)
            within = within and gap <= max(1, lightest)
            spreads.append(gap)
    peak = max(selectors.open_loads([u.pk for u in desk["people"]], WEIGHTS).values(), default=0)
    return (max(spreads) if spreads else None), within, peak


def _loads_present(desk: dict[str, Any], at: datetime) -> dict[int, dict[int, int]]:
    """Each team's agents present at ``at`` with their weighted open load."""
    from helpline.routing.decide import WEIGHTS
    from helpline.tickets import selectors

    out = {}
    present = _present(desk, at)
    for team_id, members in desk["teams"].items():
        here = [u.pk for u in members if u.pk in present]
        loads = selectors.open_loads(here, WEIGHTS)
        out[team_id] = {pk: loads.get(pk, 0) for pk in here}
    return out


def _team_on_shift(desk: dict[str, Any], ticket: Any, at: datetime) -> bool:
    members = desk["teams"].get(ticket.team_id, [])
    return bool({u.pk for u in members} & _present(desk, at))


def _arrive(
    arrival: tuple[datetime, str],
    desk: dict[str, Any],
    rng: random.Random,
    figures: Figures,
    forged_ids: list[int],
) -> None:
    at, kind = arrival
    before = _loads_present(desk, at)
    ticket = _open(kind, at, desk, rng)
    ticket.refresh_from_db()
    owned = ticket.assignee_id is not None  # assigned in the ticket's own transaction
    pool = before.get(ticket.team_id, {})
    if owned and ticket.assignee_id in pool:  # by the team's rule (not the on-call's)
        figures.auto_assigned += 1
        under = [load for load in pool.values() if load < desk["capacity"]]
        under = under or list(pool.values())  # a C1 with all at capacity (decision 0185)
        figures.to_least_loaded += pool[ticket.assignee_id] == min(under, default=-1)
    if kind == "forged":
        forged_ids.append(ticket.pk)
    if ticket.priority == "C1":
        figures.c1 += 1
        figures.c1_owned += owned
    if _team_on_shift(desk, ticket, at):
        figures.on_shift_arrivals += 1
        figures.on_shift_owned += owned


def simulate(week: Week) -> Figures:
    """Run the week; the caller provides a migrated, empty database."""
    from helpline.outbox.models import Outbox
    from helpline.routing.assignment import leave_sweep, queue_sweep
    from helpline.routing.balance import rebalance
    from helpline.tickets.events import EventKind
    from helpline.tickets.models import Ticket, TicketEvent
    from helpline.tickets.sweeps import clocks_sweep

    rng = random.Random(week.seed)  # noqa: S311 - a simulation, not a secret
    desk = _desk(week.capacity)
    figures = Figures()
    arrivals = _arrivals(week, rng)
    forged_ids: list[int] = []
    hour = MONDAY
    end = MONDAY + timedelta(days=week.days)
    with override_settings(
        SUPPORT_ADDRESS="Helpline <support@helpline.test>", MAIL_UNKNOWN_SENDERS="triage"
    ):
        while hour < end:
            nxt = hour + H
            for quarter in range(1, 5):  # tickets come, the desk works, the worker steps
                at = hour + quarter * STEP
                while arrivals and arrivals[0][0] < at:
                    _arrive(arrivals.pop(0), desk, rng, figures, forged_ids)
                _work(desk, at, week.work_per_hour // 4)
                # The worker's routing steps (helpline/worker.py's run_once, in its order).
                clocks_sweep(now=at, limit=10_000)
                leave_sweep(now=at)
                queue_sweep(now=at)
                figures.rebalanced += rebalance(now=at)
            spread, within, peak = _spread(desk, nxt)  # what the worker's step left
            figures.max_load = max(figures.max_load, peak)
            if spread is not None:
                figures.within_one += within
                figures.spreads.append(spread)
                figures.spread_hours += 1
                figures.max_spread = max(figures.max_spread, spread)
            hour = nxt
    alarms = TicketEvent.objects.filter(kind__in=[EventKind.SLA_WARNING, EventKind.SLA_BREACHED])
    for ticket_id in alarms.values_list("ticket_id", flat=True):
        figures.warned_or_breached += 1
        # One mail names everything of a change (a warning and a breach together: one row).
        if not Outbox.objects.filter(ticket_id=ticket_id, kind__in=ALARMS).exists():
            figures.told_nobody += 1
    # The burst goes through mail's real path (``mail_ingest``): unverified senders' tickets
    # at C3, the on-call paged once an hour per sender domain (``mail/c1.py``).
    figures.forged_pages = len(
        set(
            Outbox.objects.filter(ticket_id__in=forged_ids, kind="c1_unverified").values_list(
                "ticket_id", flat=True
            )
        )
    )
    figures.forged_c1 = Ticket.objects.filter(pk__in=forged_ids, priority="C1").count()
    for event in TicketEvent.objects.filter(kind=EventKind.UNROUTED):
        figures.unassigned_reasons[event.reason] = (
            figures.unassigned_reasons.get(event.reason, 0) + 1
        )
    return figures
