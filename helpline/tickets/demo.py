"""Demo data: two merchants, their stores and people, and tickets with real conversations.

``load(tickets=N, seed=S)`` creates the people through the accounts and merchants services,
then writes the tickets along one of two paths.

* **Stories** (the default 60 tickets, and the newest 60 of a large demo) go through the
  ticket services — ``ticket_create``, ``ticket_reply``, ``ticket_transition`` — each call with
  an explicit ``now`` walking forward through the ticket's life over the last three weeks;
  ``clocks_sweep`` at the end records the breaches of open tickets at their true instants.
  Every change has its event, exactly as in production. A score of stories is scripted (a C1
  at night downgraded by a workaround, a question waiting on the merchant, a quote awaiting
  approval, a withdrawal, breaches …); the rest are drawn from the same templates with a
  generic life, cut off at "now".
* **Bulk** exists for volume only (``--tickets 100000`` for the benchmarks: 100,000 tickets and
  500,000 messages in under a minute, where a service call costs milliseconds and would take
  the better part of an hour). It writes the rows the services would write for a ticket's whole
  life — the ``Ticket``; its two ``TicketClock`` rows, laid out by ``sla.clock`` on the
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

import json
import multiprocessing
import os
import random
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import DateTimeField, DurationField, JSONField, Max, Model

from helpline.accounts import services as accounts
from helpline.accounts.models import Team, User
from helpline.core import clock
from helpline.core.errors import Conflict
from helpline.merchants import services as merchants
from helpline.merchants.models import Merchant, Store
from helpline.sla import clock as sla_clock
from helpline.sla import selectors as sla_selectors
from helpline.sla.clock import BusinessCalendar
from helpline.sla.defaults import BUSINESS, FIRST_RESPONSE, RESOLUTION
from helpline.sla.policy import TargetSpec
from helpline.tickets import clocks, services
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
    for key, role, first, last in STAFF:
        people[key] = accounts.user_create(
            email=f"{key}@helpline.example",
            role=role,
            password=password_for(role),
            first_name=first,
            last_name=last,
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
                merchant=merchant,
                password=password_for("merchant"),
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
CONTENT = """
== gateway transactions-failing kalpana
subject: Payment gateway failing — every checkout declined
description: Since about {hour} every payment on {store} fails with 'Transaction declined by
  gateway'. Cards, UPI and netbanking all fail, and we have a sale running. Order {order} was
  the last one that went through.
reply: We can reproduce it: the gateway rejects our payment requests with an expired-key error.
  Next update within the hour.
merchant: Any news? We are losing orders every minute.
followup: The gateway rotated your API keys overnight; the new keys are in and payments flow.
  Please confirm with a test order.
thanks: Test order went through with UPI and a card. Thank you!
resolution: Keys rotated, webhook secret updated, and an alert added for key expiry.
question: Did anyone on your side regenerate the gateway keys recently?
answer: Not that we know of. Our accountant logged in to the gateway dashboard yesterday.
workaround: Checkout now uses the backup gateway: customers can pay while we fix the primary.
== down store-down
subject: {store} is down — 502 Bad Gateway
description: The whole storefront shows '502 Bad Gateway' since {hour}. The admin still loads.
reply: Confirmed: one of the hosting nodes behind {store} stopped answering. We are on it.
merchant: Still down here, on mobile and desktop.
followup: Traffic is moved to a healthy node and the site answers again. We are watching it.
thanks: All good now, orders are coming in.
resolution: Root cause: the cache node's disk filled up with logs. Cleaned, log rotation fixed,
  alert added. Sorry for the disruption.
workaround: The storefront is served from the standby node while we repair the primary.
== reports reports-no-data
subject: Sales dashboard shows zero orders since midnight
description: The sales report shows 0 orders for today, but there are {n} orders in the order
  list. Our morning stand-up runs on this report.
reply: We see it too: the nightly report job failed. Re-running it now.
merchant: Still zero on the dashboard.
followup: Today's figures are back; yesterday's are being rebuilt.
thanks: Numbers match the order list now.
resolution: The report job ran out of memory on a large import; it runs in batches now.
workaround: Today's report is rebuilt by hand and refreshed every 15 minutes until the job is
  fixed.
== coupons feature-broken
subject: Discount coupons not applying at checkout
description: Coupon {code} shows 'applied' but the discount is not taken off the total. It is
  our campaign code, mailed to 40,000 customers this morning.
reply: Thanks — we can reproduce it with {code}. Looking at the checkout rules.
merchant: Customers are emailing us screenshots. How long?
followup: Found it: the coupon excludes sale items, and every item of the campaign is on sale.
thanks: Unticked 'exclude sale items' and it works. Thanks for explaining.
resolution: The rule applies now; the coupon form warns when a coupon excludes every item of
  its campaign.
question: Should the code also apply to items already on sale, or only to full-price items?
answer: To everything in the campaign collection, sale or not.
== shipping feature-broken northwind
subject: Shipping rates not calculated for {postcode} postcodes
description: Checkout says 'No shipping methods available' for postcodes starting {postcode}.
  Those customers cannot complete their order.
reply: Reproduced with {postcode}: the courier's rate API answers an error for those areas.
merchant: Any progress? Three abandoned checkouts this morning.
followup: The courier changed its zone list; we updated the mapping and added a fallback rate.
thanks: Works for the postcodes we tried.
resolution: Zone mapping updated and a flat-rate fallback configured, so checkout always offers
  a shipping method.
question: Which courier service should be the fallback for remote postcodes?
answer: The 48h tracked service; we can absorb the cost.
== cart-mail feature-broken
subject: Abandoned-cart emails stopped sending
description: We usually recover 20–30 abandoned carts a day; since {day} there are none and the
  email log shows nothing sent.
reply: The job has not sent anything since then. Checking the scheduler and the mail provider.
merchant: This is about 15 % of our revenue, please prioritise.
followup: The mail provider suspended your sending domain after a DNS change. Records are fixed
  and sending has resumed.
thanks: Recovered two carts already this afternoon.
resolution: SPF and DKIM records restored; we now alert when the job stops sending.
question: Did your team change DNS records for your domain last week?
answer: Yes, we moved the domain to a new registrar on Monday.
== cod feature-broken kalpana
subject: Cash on delivery missing at checkout
description: COD disappeared from checkout for all orders this morning. Half our orders are COD.
reply: Confirmed: the COD order limit was set to 0 in yesterday's settings update.
merchant: Can you restore it? We did not change anything.
followup: Restored the limit to ₹10,000 as it was; COD shows again.
thanks: Thanks, COD orders are back.
resolution: COD limit restored; the settings page asks for confirmation before a limit of 0.
== images ui-design
subject: Product images not loading on collection pages (mobile)
description: On phones the collection pages show grey boxes instead of product images; desktop
  is fine. Example: {store}/collections/new-arrivals
reply: Reproduced on Android Chrome: the lazy-loading script fails with the new theme version.
merchant: It also happens on iPhone Safari.
followup: A theme fix is ready; we are testing it on a copy of your store.
thanks: Looks right on my phone now.
resolution: Theme patched (lazy-load threshold and WebP fallback); images load on every
  collection page we checked.
question: Did you install the 'Image optimiser' app last week? The timing matches.
answer: Yes, it was installed on Tuesday.
== menu ui-design
subject: Mega menu overlaps the home banner on iPad
description: On iPad in portrait the mega menu opens behind the hero banner and cannot be used.
reply: Thanks for the screenshots; it is a stacking issue in the header styles.
merchant: Same on a Kindle Fire, fyi.
followup: Fixed in the header styles; please clear your cache and check.
thanks: Works now.
resolution: Header stacking fixed for tablet widths.
== csv functionality
subject: Bulk product import fails on row {n}
description: Importing our new collection (600 rows) stops at row {n} with 'Unexpected error';
  nothing after it is imported.
reply: We are looking at the file. It is a parsing error, not a server fault.
merchant: Tried again with a smaller file, same thing.
followup: Row {n} has an unescaped quote in the description column.
thanks: Fixed the row and everything imported.
resolution: The importer now names the row and column instead of 'Unexpected error'.
== sitemap functionality
subject: sitemap.xml does not list new products
description: Products added in the last two weeks are missing from sitemap.xml and Google has
  not indexed them.
reply: Confirmed: the sitemap is regenerated weekly and the last run failed.
merchant: Can you trigger it now?
followup: Regenerated; the new products are listed. We are fixing the weekly job.
thanks: I can see them in the sitemap.
resolution: Sitemap job fixed; it runs nightly now.
== spam functionality
subject: Order confirmation emails landing in spam
description: Several customers say our order confirmations go to spam (Gmail and Outlook).
reply: Checking your sending domain's records.
merchant: Another customer complained today.
followup: DMARC is missing for your domain; the record to add at your DNS provider is attached.
thanks: Added it this morning.
resolution: DMARC verified; test mails land in the inbox at Gmail and Outlook.
== ios app-submission
subject: Submit the iOS app update (2.4) to the App Store
description: Please submit version 2.4 of our iOS app with the new wishlist. Screenshots and
  release notes are attached.
reply: We have the build and submit it today; Apple's review takes 1–3 days.
merchant: Any word from Apple?
followup: Apple asked for a demo account to review the wishlist; we provided one.
thanks: Great, fingers crossed.
resolution: Version 2.4 is approved and live on the App Store.
question: Apple needs a demo customer account with an order in it. Can you create one?
answer: Created reviewer@ with a sample order; the password is in the portal note.
== android app-submission
subject: Android app update rejected by Google Play
description: Google Play rejected our update citing the 'data safety' form. What do we change?
reply: We will correct the data safety declaration and resubmit.
merchant: Do you need anything from us?
followup: Resubmitted with the corrected declaration.
thanks: Thanks for handling it.
resolution: Google approved the update; it is rolling out.
question: Does the app still use the location permission for store pickup?
answer: No, we removed store pickup in the last release.
== gst account-billing kalpana
subject: GST invoice for {month} is missing our GSTIN
description: The platform invoice for {month} does not show our GSTIN, so we cannot claim the
  input credit.
reply: Sorry: your GSTIN was not on the billing profile. We will reissue the invoice.
merchant: Our accountant needs it before the 20th for GSTR-3B.
followup: The reissued invoice with your GSTIN is attached to this ticket.
thanks: Received, thank you.
resolution: Invoice reissued; the GSTIN is on the billing profile for future invoices.
question: Please confirm your GSTIN and the registered address to print.
answer: GSTIN 33AABCK1234F1Z5, Kalpana Handlooms, 14 Kamaraj Road, Madurai.
== double account-billing
subject: Charged twice for the account-manager subscription
description: Our card statement shows two charges for this month's account-manager subscription.
reply: We see two captures; one is a retry that should have been voided.
merchant: Please refund the duplicate.
followup: Refund issued; it takes 5–7 working days to show.
thanks: Thanks.
resolution: Duplicate charge refunded.
== hindi feature-request kalpana
subject: Add a Hindi language option to the storefront
description: Many of our customers would prefer Hindi. Can the storefront offer a Hindi version
  with a language switcher?
reply: Thanks for the request. The theme can be translated; product texts need your translation.
merchant: We can provide the product translations.
followup: We will send a quote for the theme translation and the switcher.
thanks: Okay.
resolution: Hindi theme and language switcher are live; product translations go in the admin.
== paylater feature-request
subject: Pay-later option at checkout
description: Could you add a buy-now-pay-later option at checkout? Our competitors offer it.
reply: Noted. Two providers serve your region; we will share the options.
merchant: We prefer the one with no cost to customers.
followup: We can integrate it as a paid customisation; a quote follows.
thanks: Sounds good.
resolution: Pay-later is live at checkout for orders above the provider's minimum.
== typo minor
subject: Typo in the footer: 'Privacy Polciy'
description: Small one: the footer link says 'Privacy Polciy'.
reply: Thanks for spotting it!
merchant: No rush.
followup: Fixed in the theme.
thanks: Thanks.
resolution: Footer text corrected.
== favicon minor
subject: Favicon still shows the old logo
description: We uploaded the new logo a month ago but browsers still show the old favicon.
reply: The favicon is set separately from the logo; we will update it.
merchant: Here is a square version of the logo.
followup: Updated; browsers may keep the old one for a few days.
thanks: Looks right in a private window.
resolution: Favicon replaced with the new logo.
"""


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
STORIES = """
# A C1 at night: a workaround within two hours (C1 -> C2), then fixed and closed.
gateway kalpana 9 02:40
25m arun say @reply
20m arun note Gateway status page is green; their key API answers 401.
40m merchant say @merchant
30m arun workaround @workaround | reason=backup gateway enabled
7h meera say @followup
2h merchant say @thanks
1h meera resolve @resolution
1d merchant close | rating=4; comment=Great save at 3 am.

# Store down on a Saturday evening in London: answered in minutes, fixed within the hour.
down northwind 3 21:10 sat
9m fatima say @reply
12m merchant say @merchant
15m fatima say @followup
10m fatima resolve @resolution
14h merchant close | rating=5; comment=Back within the hour, on a Saturday.

# A C1 at night answered late: both C1 targets breached; rated low.
reports kalpana 13 23:30 requester=1
3h10m arun say @reply
8h merchant say @merchant
1h arun resolve @resolution
5h merchant close | rating=2; comment=Nobody answered for three hours.

# C2 triaged with the policy's due date; a question now waits on the merchant.
coupons kalpana 4 11:15
30m meera triage | assignee=fatima
20m fatima say @reply
1d fatima ask @question

# C2 in progress for a week: the resolution target breached on the way.
shipping northwind 8 09:40
1h meera triage | assignee=rohan
30m rohan say @reply
3h merchant say @merchant
1d rohan ask @question
3h merchant say @answer
2h rohan note Courier support ticket CR-5521 raised about the zone list.

# C2 answered two days late and still open: both targets breached.
cart-mail kalpana 18 16:20 requester=1
2d arun say @reply
2h merchant say @merchant
1h arun start
1d arun ask @question
4h merchant say @answer

# Filed as C3; triage raises it to C2, with the reason.
cod kalpana 2 09:05 priority=C3 issue_type=functionality
1h meera triage | assignee=arun; priority=C2; reason=COD is half of their orders: it hits sales
10m arun say @reply
1h arun start

# Triaged, not started yet.
images kalpana 1 12:30 requester=1
2h meera triage | assignee=fatima

# App submission (C3 + 3 business days); a due date later than the policy's, with a reason.
ios kalpana 6 15:00
1h meera triage | assignee=rohan; due=3; reason=Apple's review adds 1–3 days after we submit
10m rohan say @reply
1d rohan start

# Answered, a question, resolved and closed with a rating.
gst kalpana 10 10:45
30m meera triage | assignee=arun
30m arun say @reply
2h merchant say @merchant
3h arun ask @question
1h merchant say @answer
2h arun resolve @resolution
4h merchant close | rating=5; comment=Quick, thank you.

# A feature request quoted: the quote awaits the merchant's approval.
hindi kalpana 12 17:30
1d meera triage | assignee=rohan
10m rohan say @reply
1d merchant say @merchant
2d rohan say @followup
1h rohan quote | amount=45000; description=Hindi theme translation and language switcher

# A feature request quoted and approved: in progress.
paylater northwind 11 14:00
2h meera triage | assignee=rohan
1h rohan say @reply
1d merchant say @merchant
1d rohan quote | amount=60000; description=Pay-later provider integration at checkout
1d merchant approve | reason=Approved by our finance team

# By mail this morning, not answered yet.
spam northwind 0 08:50 channel=email requester=1

# Filed on a Sunday evening and never picked up: first response breached, still new.
sitemap northwind 4 19:30 sun

# Withdrawn by the merchant.
csv kalpana 5 13:10 store=1
40m merchant withdraw | reason=Found it myself: a stray quote on that row.

# Resolved, waiting for the merchant to close it.
typo northwind 2 10:00
3h fatima say @reply
1h fatima resolve @resolution

# Resolved, reopened by the merchant's reply, back in progress.
menu kalpana 7 11:00 store=1
2h arun say @reply
1d arun resolve @resolution
5h merchant say Still overlapping on the iPad mini.
1h arun say Thanks, reopened: looking at the mini's width.

# Resolved three weeks ago, never closed by the merchant: closed automatically.
favicon northwind 20 15:30
2h fatima say @reply
1h merchant say @merchant
1d fatima resolve @resolution
7d system close | reason=closed automatically 7 days after resolution
"""
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
        return services.ticket_transition(
            actor=actor, ticket=ticket, action=action, reason=reason, now=at, **extra
        )


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
        while services.clocks_sweep(now=now):
            pass
    return DemoResult(
        tickets=Ticket.objects.count(),
        messages=TicketMessage.objects.count(),
        events=TicketEvent.objects.count(),
        logins=cast.logins,
    )


# ------------------------------------------------------------------------------------ bulk


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

    def settle(self, at: datetime) -> None:
        """What every service call does first: warnings and breaches whose instant has come."""
        for clk in self.clocks:
            if clk.segment_started_at is None:  # met: ``clocks.settle`` has nothing to say
                continue
            for e in clocks.settle(self.ticket, clk, at):  # sla_* events have no actor
                when = e.at or at
                self.events.append(
                    (e.kind, None, e.before, e.after, e.reason, e.public, when, None)
                )


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
        warn = timedelta(seconds=int(spec.length.total_seconds() * clocks.WARNING_FRACTION))
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
            warn_at=sla_clock.add_business_time(cal, at, warn),
        )

    def _meet(self, plan: _Plan, clk: TicketClock, at: datetime) -> None:
        """What ``clocks.meet`` does (after the call's settle), on the calendar built once."""
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
        plan = _Plan(ticket, [first, resolution])

        def say(at: datetime, author: User, body: str, kind: str = MessageKind.REPLY) -> None:
            staff = author is not requester
            plan.settle(at)
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
        plan.settle(t)
        plan.events.append(("assignee", lead.pk, None, assignee.pk, "", False, t, None))
        plan.events.append(("team", lead.pk, None, cast.team.pk, "", False, t, None))
        plan.event("due_date", lead, t, iso(resolution.deadline))
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
        ticket.due_at, ticket.resolved_at = resolution.deadline, resolved
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
    try:
        for job, rows in zip(jobs, _planned(jobs), strict=True):
            for model, columns, table_rows in zip(BULK_MODELS, _columns(), rows, strict=True):
                _insert(model, columns, table_rows)
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
