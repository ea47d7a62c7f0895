"""Demo data: two merchants, their stores and people, and tickets with real conversations.

``load(tickets=N, seed=S)`` creates the people through the accounts and merchants services,
then writes the tickets along one of two paths.

* **Stories** (the default 60 tickets, and the newest 60 of a large demo) go through the
  ticket services — ``ticket_create``, ``ticket_reply``, the lifecycle actions (``ticket_triage``
  …, billing's quote services) — each call with an explicit ``now`` walking forward through
  the ticket's life over the last three weeks;
  ``clocks_sweep`` at the end records the breaches of open tickets at their true instants.
  Every change has its event, exactly as in production. A score of stories is scripted (a C1
  at night downgraded by a workaround, a question waiting on the merchant, a quote awaiting
  approval, a withdrawal, breaches …); the rest are drawn from the same templates with a
  generic life, cut off at "now".
* **Bulk** exists for volume only (``--tickets 100000`` for the benchmarks: 100,000 tickets and
  500,000 messages in under a minute, where a service call costs milliseconds and would take
  the better part of an hour). It writes the rows the services would write for a ticket's whole
  life — the ``Ticket``; its two ``TicketClock`` rows, laid out by ``sla.business_time`` on the
  ticket's policy targets and calendars and met, warned or breached at their true instants;
  five ``TicketMessage`` rows; and the ``TicketEvent`` of every step (created, triage,
  messages, ``sla_*``, resolved, rating, status). Its tickets are history (opened before the
  story window, all closed), so no running clock is written by hand. The tests replay bulk
  tickets through the services and compare every row. Batches are planned (pure Python) in
  worker processes when there are several cores and inserted by this process with one
  ``executemany`` per table on SQLite and ``COPY`` on PostgreSQL: ``bulk_create`` spent four
  fifths of the time compiling SQL value by value, and PostgreSQL's ``executemany`` is a round
  trip a row.

All of it runs in one transaction (a half-loaded demo would make ``--if-empty`` skip it for
ever) and is deterministic for a given seed and ``now``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction

from helpline.accounts import services as accounts
from helpline.accounts.models import Team, User
from helpline.billing import services as billing
from helpline.core import clock
from helpline.core.errors import Conflict
from helpline.demo.content import CONTENT, STORIES
from helpline.merchants import services as merchants
from helpline.merchants.models import Merchant, Store
from helpline.sla import business_time as sla_clock
from helpline.sla import selectors as sla_selectors
from helpline.sla.defaults import BUSINESS, RESOLUTION
from helpline.tickets import services, sweeps
from helpline.tickets.models import (
    Channel,
    Ticket,
    TicketClock,
    TicketEvent,
    TicketMessage,
)

DEFAULT_TICKETS = 60
BULK_THRESHOLD = 2_000  # above this many tickets, all but the newest STORY_TICKETS are bulk
STORY_TICKETS = DEFAULT_TICKETS
STORY_WINDOW = timedelta(days=21)
BULK_BATCH = 2_000
BULK_PER_DAY = 250  # bulk history spans max(30, N / 250) days, ending before the story window
AUTO_CLOSE = "closed automatically 7 days after resolution"
Progress = Callable[[int], None]

# ------------------------------------------------------------------------------------ the cast

STAFF = [  # key, role, first name, last name; e-mail key@helpline.example
    ("meera", "agent", "Meera", "Nair"),  # lead of Core support
    ("arun", "agent", "Arun", "Kumar"),
    ("fatima", "agent", "Fatima", "Sheikh"),
    ("rohan", "account_manager", "Rohan", "Mehta"),
    ("dev", "engineer", "Dev", "Patel"),
    ("anita", "admin", "Anita", "Rao"),
]
AGENTS = ("meera", "arun", "fatima")
# How merchants reach their account manager besides e-mail (shown on the merchant's card).
REACH = {"rohan": ("+91 80 4000 1234", "+919800001234")}
TEAM_NAME = "Core support"


@dataclass(frozen=True)
class MerchantSpec:
    slug: str
    name: str
    zone: str
    domain: str
    stores: tuple[tuple[str, str, bool], ...]  # name, host, managed by the account manager
    users: tuple[tuple[str, str, str], ...]  # key, first name, last name
    weight: int  # share of the tickets


MERCHANTS = (
    MerchantSpec(
        "kalpana",
        "Kalpana Handlooms",
        "Asia/Kolkata",
        "kalpanahandlooms.example",
        (
            ("Kalpana Handlooms", "kalpanahandlooms.example", True),
            ("Kalpana Weaves Wholesale", "wholesale.kalpanahandlooms.example", False),
        ),
        (("priya", "Priya", "Raman"), ("arjun", "Arjun", "Iyer")),
        60,
    ),
    MerchantSpec(
        "northwind",
        "Northwind Gear",
        "Europe/London",
        "northwindgear.example",
        (("Northwind Gear UK", "northwindgear.example", True),),
        (("oliver", "Oliver", "Grant"), ("sophie", "Sophie", "Clarke")),
        40,
    ),
)


def password_for(role: str) -> str:
    """Demo passwords are printed: demo-agent-2026, demo-account-manager-2026 …"""
    return f"demo-{role.replace('_', '-')}-2026"


@dataclass(frozen=True)
class Login:
    role: str
    name: str
    email: str
    password: str
    token: str


@dataclass
class Cast:
    people: dict[str, User]
    merchants: dict[str, Merchant]
    stores: dict[str, list[Store]]
    users_of: dict[str, list[str]]
    team: Team
    logins: list[Login]


@dataclass(frozen=True)
class DemoResult:
    tickets: int
    messages: int
    events: int
    logins: list[Login]


def present() -> bool:
    """Whether any merchant exists (``helpline demo --if-empty`` then does nothing)."""
    return Merchant.objects.exists()


def _cast(now: datetime) -> Cast:
    if Merchant.objects.filter(slug__in=[m.slug for m in MERCHANTS]).exists():
        raise Conflict("the demo merchants exist already: demo data is loaded", code="demo_present")
    people: dict[str, User] = {}
    hashes: dict[str, str] = {}  # one hash a role: hashing costs ~0.2 s by design

    def hashed(role: str) -> str:
        if role not in hashes:
            hashes[role] = make_password(password_for(role))
        return hashes[role]

    for key, role, first, last in STAFF:
        people[key] = accounts.user_create(
            email=f"{key}@helpline.example",
            role=role,
            password_hash=hashed(role),
            first_name=first,
            last_name=last,
            phone=REACH.get(key, ("", ""))[0],
            whatsapp=REACH.get(key, ("", ""))[1],
        )
    team = accounts.team_create(
        name=TEAM_NAME, lead=people["meera"], members=[people[k] for k in AGENTS]
    )
    found: dict[str, Merchant] = {}
    stores: dict[str, list[Store]] = {}
    users_of: dict[str, list[str]] = {}
    for spec in MERCHANTS:
        merchant = merchants.merchant_create(
            name=spec.name, slug=spec.slug, time_zone=spec.zone, now=now
        )
        found[spec.slug], users_of[spec.slug] = merchant, []
        stores[spec.slug] = [
            merchants.store_create(
                merchant=merchant,
                name=name,
                url=f"https://{host}",
                account_manager=people["rohan"] if managed else None,
                now=now,
            )
            for name, host, managed in spec.stores
        ]
        for key, first, last in spec.users:
            people[key] = accounts.user_create(
                email=f"{key}@{spec.domain}",
                role="merchant",
                merchant_id=merchant.pk,
                password_hash=hashed("merchant"),
                first_name=first,
                last_name=last,
            )
            users_of[spec.slug].append(key)
    logins = [
        Login(
            u.role,
            str(u),
            u.email,
            password_for(u.role),
            accounts.token_create(user=u, name="demo", now=now)[1],
        )
        for u in people.values()
    ]
    return Cast(people, found, stores, users_of, team, logins)


# ------------------------------------------------------------------------------------ content


@dataclass(frozen=True)
class Template:
    key: str
    issue_type: str
    only: str  # a merchant slug, if it makes sense for one merchant only
    subject: str
    description: str
    reply: str  # staff's first answer
    merchant: str  # the merchant's follow-up
    followup: str  # staff's second message
    thanks: str  # the merchant's second message
    resolution: str
    question: str = ""  # a question to the merchant …
    answer: str = ""  # … and the answer
    workaround: str = ""  # C1

    def text(self, name: str, values: dict[str, Any]) -> str:
        return str(getattr(self, name)).format(**values)


# "== key issue-type [merchant]", then "field: text"; an indented line continues the field.


def _parse_content(text: str) -> tuple[Template, ...]:
    found: list[Template] = []
    values: dict[str, str] = {}
    name = ""
    for line in [*text.splitlines(), "=="]:
        if line.startswith("=="):
            if values:
                found.append(Template(**values))
            key, issue_type, only, *_ = [*line[2:].split(), "", "", ""]
            values = {"key": key, "issue_type": issue_type, "only": only}
        elif line.startswith("  "):
            values[name] += " " + line.strip()
        elif line.strip():
            name, _, value = line.partition(": ")
            values[name] = value.strip()
    return tuple(found)


TEMPLATES = _parse_content(CONTENT)
BY_KEY = {t.key: t for t in TEMPLATES}
RATINGS = (
    (5, 50, "Quick and clear, thank you!"),
    (4, 30, "Sorted, thanks."),
    (3, 10, "Fixed, but it took a while."),
    (2, 6, "Too slow for something that hit our sales."),
    (1, 4, "We had to chase this several times."),
)


def _values(rng: random.Random, store: Store) -> dict[str, Any]:
    return {
        "store": store.url.removeprefix("https://"),
        "order": f"#{rng.randint(10_400, 98_999)}",
        "n": rng.randint(12, 580),
        "code": rng.choice(("DIWALI20", "FESTIVE15", "WELCOME10")),
        "postcode": rng.choice(("IV", "KW", "HS", "ZE", "PA")),
        "hour": f"{rng.randint(1, 11)}:{rng.choice(('05', '20', '40'))}",
        "day": rng.choice(("Monday", "Tuesday", "Thursday")),
        "month": rng.choice(("August", "September", "October")),
    }


def _rating(rng: random.Random) -> tuple[int, str]:
    rating, _, comment = rng.choices(RATINGS, weights=[w for _, w, _ in RATINGS])[0]
    return rating, comment if rng.random() < 0.6 else ""


# ------------------------------------------------------------------------------------ stories


@dataclass(frozen=True)
class Step:
    after: timedelta  # wall time after the previous step (then moved into working hours)
    who: str  # "merchant", "system" or a staff key
    action: (
        str  # say, note, ask, triage, start, quote, approve, workaround, resolve, close, withdraw
    )
    text: str = ""  # "@field" of the template, or literal text
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    template: str
    merchant: str
    opened: datetime
    steps: tuple[Step, ...]
    options: dict[str, str] = field(default_factory=dict)  # store, requester, priority, …


def _d(spec: str) -> timedelta:
    """'1d2h30m' -> a timedelta."""
    total, number = timedelta(0), ""
    for char in spec:
        if char.isdigit():
            number += char
        else:
            total += timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[char]: int(number)})
            number = ""
    return total


# One story a paragraph: "template merchant days-ago HH:MM [weekday] [option=value …]", then its
# steps "after who action [text] [| name=value; …]". Times are the merchant's local times.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _step(line: str) -> Step:
    head, _, tail = line.partition(" | ")
    after, who, action, *text = head.split(" ", 3)
    args = dict(pair.split("=", 1) for pair in tail.split("; ")) if tail else {}
    return Step(_d(after), who, action, text[0] if text else "", args)


def _scripted(now: datetime) -> list[Story]:
    zones = {m.slug: ZoneInfo(m.zone) for m in MERCHANTS}
    stories = []
    for paragraph in STORIES.strip().split("\n\n"):
        lines = [line for line in paragraph.splitlines() if not line.startswith("#")]
        key, slug, days_ago, hhmm, *rest = lines[0].split()
        day = now.astimezone(zones[slug]).date() - timedelta(days=int(days_ago))
        while rest and rest[0] in WEEKDAYS and day.weekday() != WEEKDAYS.index(rest[0]):
            day -= timedelta(days=1)
        hour, minute = hhmm.split(":")
        opened = datetime.combine(day, time(int(hour), int(minute)), tzinfo=zones[slug])
        options = dict(o.split("=") for o in rest if "=" in o)
        steps = tuple(_step(line) for line in lines[1:])
        stories.append(Story(key, slug, min(opened, now - timedelta(minutes=10)), steps, options))
    return stories


def _random_story(rng: random.Random, now: datetime, cast: Cast) -> Story:
    """A generic life for a template: triage, answer, talk, maybe a question, resolve, close."""
    slug = rng.choices([m.slug for m in MERCHANTS], weights=[m.weight for m in MERCHANTS])[0]
    template = rng.choice([t for t in TEMPLATES if t.only in ("", slug)])
    opened = now - timedelta(seconds=rng.randrange(int(STORY_WINDOW.total_seconds())))
    if rng.random() < 0.7:  # most tickets are filed in working hours, the rest at any time
        local = opened.astimezone(ZoneInfo(cast.merchants[slug].time_zone))
        opened = local.replace(hour=rng.randint(9, 17), minute=rng.randrange(60))
    store = rng.randrange(len(cast.stores[slug]))
    managed = cast.stores[slug][store].account_manager_id is not None
    owner = "rohan" if managed and rng.random() < 0.3 else rng.choice(AGENTS)
    rating, comment = _rating(rng)
    r = rng.randint
    lines = [
        f"{r(5, 90)}m meera triage | assignee={owner}",
        f"{r(5, 120)}m {owner} say @reply",
        f"{r(1, 20)}h merchant say @merchant",
    ]
    if template.workaround:
        lines.append(f"{r(20, 200)}m {owner} workaround @workaround | reason=service restored")
    if template.question and rng.random() < 0.35:
        lines += [f"{r(1, 8)}h {owner} ask @question", f"{r(2, 40)}h merchant say @answer"]
    lines += [
        f"{r(1, 30)}h {owner} say @followup",
        f"{r(1, 20)}h merchant say @thanks",
        f"{r(1, 60)}h {owner} resolve @resolution",
    ]
    if rng.random() < 0.75:
        lines.append(
            f"{r(1, 96)}h merchant close | rating={rating}"
            + (f"; comment={comment}" if comment else "")
        )
    else:
        lines.append(f"7d system close | reason={AUTO_CLOSE}")
    options = {"store": str(store), "requester": str(rng.randrange(2))}
    return Story(
        template.key,
        slug,
        min(opened, now - timedelta(minutes=5)),
        tuple(map(_step, lines)),
        options,
    )


class _Runner:
    """Plays stories through the ticket services, each call at its own instant."""

    def __init__(self, cast: Cast, now: datetime, rng: random.Random) -> None:
        self.cast, self.now, self.rng = cast, now, rng
        policy = sla_selectors.current_policy()
        self.policy = policy
        self.business = sla_selectors.business_calendar(
            policy, BUSINESS, now - 2 * STORY_WINDOW, now
        )

    def _staff_time(self, at: datetime) -> datetime:
        if sla_clock.is_business_time(self.business, at):
            return at
        return sla_clock.next_opening(self.business, at) + timedelta(
            minutes=self.rng.randint(3, 40)
        )

    def _merchant_time(self, at: datetime, zone: ZoneInfo) -> datetime:
        local = at.astimezone(zone)
        if 8 <= local.hour < 22:
            return at
        day = local.date() + timedelta(days=1 if local.hour >= 22 else 0)
        return datetime.combine(day, time(8, self.rng.randint(30, 59)), tzinfo=zone)

    def play(self, story: Story) -> None:
        cast, options = self.cast, story.options
        template = BY_KEY[story.template]
        store = cast.stores[story.merchant][int(options.get("store", 0))]
        merchant = cast.people[cast.users_of[story.merchant][int(options.get("requester", 0))]]
        zone = ZoneInfo(cast.merchants[story.merchant].time_zone)
        values = _values(self.rng, store)
        ticket = services.ticket_create(
            actor=merchant,
            store=store,
            subject=template.text("subject", values),
            description=template.text("description", values),
            now=story.opened,
            issue_type=options.get("issue_type", template.issue_type),
            priority=options.get("priority"),
            channel=options.get("channel", Channel.PORTAL),
        )
        at = story.opened
        for step in story.steps:
            at += step.after
            if step.who == "merchant" and ticket.priority != "C1":
                at = self._merchant_time(at, zone)
            elif step.who not in ("merchant", "system") and ticket.priority != "C1":
                at = self._staff_time(at)  # only C1 is worked outside business hours
            if at >= self.now - timedelta(minutes=1):
                break  # the rest of this ticket's life has not happened yet
            actor = {"system": None, "merchant": merchant}.get(step.who, cast.people.get(step.who))
            text = template.text(step.text[1:], values) if step.text.startswith("@") else step.text
            ticket = self._do(ticket, step, actor, text, at)

    def _do(
        self, ticket: Ticket, step: Step, actor: User | None, text: str, at: datetime
    ) -> Ticket:
        args, action = step.args, step.action
        reason = args.get("reason", "")
        if action in ("say", "note", "ask"):
            services.ticket_reply(
                actor=actor,
                ticket=ticket,
                body=text,
                internal=action == "note",
                question=action == "ask",
                channel=ticket.channel if step.who == "merchant" else Channel.API,
                now=at,
            )
            return ticket
        extra: dict[str, Any] = {}
        if action == "triage":
            clk = TicketClock.objects.get(
                ticket=ticket, kind=RESOLUTION, superseded_at__isnull=True
            )
            if clk.deadline is None or clk.deadline <= at:  # no policy deadline left to commit to
                extra["due_at"], reason = at + timedelta(days=1), "agreed with the merchant"
            elif "due" in args:  # later than the policy's deadline by some business days
                later = timedelta(hours=8 * int(args["due"]))
                extra["due_at"] = sla_clock.add_business_time(self.business, clk.deadline, later)
            extra.update(
                priority=args.get("priority"),
                assignee=self.cast.people[args["assignee"]],
                team=self.cast.team,
            )
        elif action in ("workaround", "resolve"):
            extra["message"] = text
        elif action == "quote":
            amount = int(args["amount"])
            services.ticket_reply(
                actor=actor,
                ticket=ticket,
                channel=Channel.API,
                now=at,
                body=f"Quote for this work: ₹{amount:,} + 18 % GST, valid for 14 days. "
                "Please approve it here and we schedule the work.",
            )
            extra.update(
                amount_inr=args["amount"],
                description=args["description"],
                valid_until=at + timedelta(days=14),
            )
        elif action == "close":
            extra.update(
                rating=int(args["rating"]) if "rating" in args else None,
                comment=args.get("comment", ""),
            )
        done = ACTIONS[action](actor=actor, ticket=ticket, reason=reason, now=at, **extra)
        return done if isinstance(done, Ticket) else Ticket.objects.get(pk=ticket.pk)


# A story's lifecycle steps, each to its service (the quote's are billing's).
ACTIONS: dict[str, Callable[..., object]] = {
    "triage": services.ticket_triage,
    "start": services.ticket_start,
    "quote": billing.quote_create,
    "approve": billing.quote_approve,
    "decline": billing.quote_decline,
    "workaround": services.ticket_workaround,
    "resolve": services.ticket_resolve,
    "close": services.ticket_close,
    "reopen": services.ticket_reopen,
    "withdraw": services.ticket_withdraw,
}


# ------------------------------------------------------------------------------------ loading


def load(
    *,
    tickets: int = DEFAULT_TICKETS,
    seed: int = 1,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Create the demo cast and ``tickets`` tickets (see the module's docstring)."""
    now = now or clock.now()
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    tick = progress or (lambda n: None)
    from helpline.demo.bulk import _bulk, _bulk_span  # it imports this module

    bulk = tickets - STORY_TICKETS if tickets > BULK_THRESHOLD else 0
    with transaction.atomic():
        cast = _cast(now - STORY_WINDOW - _bulk_span(bulk) - timedelta(days=30))
        if bulk:
            _bulk(
                cast,
                count=bulk,
                rng=rng,
                end=now - STORY_WINDOW - timedelta(days=3),
                now=now,
                progress=tick,
            )
        stories = _scripted(now)[: tickets - bulk]
        stories += [_random_story(rng, now, cast) for _ in range(tickets - bulk - len(stories))]
        runner = _Runner(cast, now, rng)
        for story in sorted(stories, key=lambda s: s.opened):  # ids ascend with time
            runner.play(story)
            tick(1)
        while sweeps.clocks_sweep(now=now):
            pass
        # Store uptime: monitors with 90 days of history (helpline.demo.uptime).
        from helpline.demo import uptime as uptime_demo

        uptime_demo.seed(
            stores=[s for found in cast.stores.values() for s in found], now=now, rng=rng
        )
        from helpline.demo import account_management as demo_account_management

        demo_account_management.load(cast=cast, now=now)
        from helpline.demo import people as demo_people

        demo_people.load(cast=cast, now=now)
        # Canned replies for the agents: web's own table, loaded from its fixture by name (the
        # demo never imports the web layer).
        call_command("loaddata", "demo_canned_replies", verbosity=0)
    return DemoResult(
        tickets=Ticket.objects.count(),
        messages=TicketMessage.objects.count(),
        events=TicketEvent.objects.count(),
        logins=cast.logins,
    )
