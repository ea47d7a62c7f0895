"""The ledger per merchant and month: account-manager subscriptions (one line per subscription
and month charged, by the day for a part month) and quotes approved that month, in the merchant's
time zone, with net, GST and total per store. Helpline records and exports; the platform bills.
Read-only, scoped by ``accounts.access``.

A part month is charged monthly charge × days covered ÷ days in the month, rounded half up to
the paisa; GST is on that rounded net, rounded half up (decision 0107)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q

from helpline.accounts import access
from helpline.accounts.models import Role, User
from helpline.billing.models import Quote, Subscription
from helpline.core.errors import InvalidInput, NotFound
from helpline.core.spreadsheet import formula_safe
from helpline.core.zones import zone_or_default
from helpline.merchants.models import Merchant

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
COLUMNS = [
    "month",
    "store",
    "kind",
    "reference",
    "description",
    "amount_inr",
    "gst_inr",
    "total_inr",
]


@dataclass(frozen=True)
class LedgerLine:
    month: str
    store: str
    kind: str  # subscription | quote
    reference: str
    description: str
    amount_inr: Decimal
    gst_inr: Decimal
    total_inr: Decimal


def parse_month(raw: str) -> date:
    match = MONTH_RE.match((raw or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
        raise InvalidInput(f"month {raw!r} is not YYYY-MM", code="invalid_month")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


PAISA = Decimal("0.01")


def _gst(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(PAISA)


def _span(starts_on: date, ends_on: date | None, month: date) -> tuple[date, date]:
    last = _next_month(month) - timedelta(days=1)
    return max(starts_on, month), min(ends_on or last, last)


def days_covered(starts_on: date, ends_on: date | None, month: date) -> int:
    """The days of ``month`` from ``starts_on`` to ``ends_on`` (inclusive; None: running)."""
    first_day, last_day = _span(starts_on, ends_on, month)
    return max((last_day - first_day).days + 1, 0)


def pro_rata(monthly: Decimal, days: int, month: date) -> Decimal:
    """``monthly`` × ``days`` ÷ days in ``month``, rounded half up to the paisa."""
    in_month = (_next_month(month) - month).days
    return (monthly * days / in_month).quantize(PAISA, rounding=ROUND_HALF_UP)


def _period_words(starts_on: date, ends_on: date | None, month: date) -> str:
    """ "Account-manager support, 16–30 Nov (15 of 30 days)" for a part month."""
    first_day, last_day = _span(starts_on, ends_on, month)
    days, in_month = (last_day - first_day).days + 1, (_next_month(month) - month).days
    if days == in_month:
        return "Account-manager support"
    return (
        f"Account-manager support, {first_day.day}–{last_day.day} {month:%b} "
        f"({days} of {in_month} days)"
    )


@dataclass(frozen=True)
class StoreTotal:
    store: str
    net_inr: Decimal
    gst_inr: Decimal
    total_inr: Decimal


def store_totals(lines: list[LedgerLine]) -> list[StoreTotal]:
    """Net, GST and total per store, in the order the stores first appear."""
    sums: dict[str, list[Decimal]] = {}
    for line in lines:
        acc = sums.setdefault(line.store, [Decimal("0.00")] * 3)
        acc[0] += line.amount_inr
        acc[1] += line.gst_inr
        acc[2] += line.total_inr
    return [StoreTotal(name, *acc) for name, acc in sums.items()]


def ledger(*, user: User, merchant: Merchant, month: date) -> list[LedgerLine]:
    """The merchant's charges in ``month`` that ``user`` may see (404: not their merchant;
    engineers see no billing; an account manager sees the stores they manage)."""
    stores = list(
        merchant.stores.filter(access.store_scope(user)).order_by("name")
        if access.sees_billing(user)
        else []
    )
    if not stores and not (user.role == Role.MERCHANT and user.merchant_id == merchant.pk):
        raise NotFound("merchant not found")
    return ledger_of_stores(merchant=merchant, stores=stores, month=month)


def ledger_of_stores(*, merchant: Merchant, stores: list[Any], month: date) -> list[LedgerLine]:
    """The charges of these stores of ``merchant`` in ``month`` (the operator's CLI: all)."""
    zone = zone_or_default(merchant.time_zone, default="UTC")
    label = f"{month:%Y-%m}"
    lines: list[LedgerLine] = []
    last = _next_month(month) - timedelta(days=1)
    subs = Subscription.objects.filter(store__in=stores, starts_on__lte=last).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=month)
    )
    for sub in subs.select_related("store").order_by("store__name", "starts_on", "pk"):
        days = days_covered(sub.starts_on, sub.ends_on, month)
        net = pro_rata(sub.monthly_charge_inr, days, month)
        gst = (net * sub.gst_percent / 100).quantize(PAISA, rounding=ROUND_HALF_UP)
        lines.append(
            LedgerLine(
                label,
                sub.store.name,
                "subscription",
                f"SUB-{sub.pk}",
                _period_words(sub.starts_on, sub.ends_on, month),
                net,
                gst,
                net + gst,
            )
        )
    start = datetime.combine(month, time(), tzinfo=zone)
    end = datetime.combine(_next_month(month), time(), tzinfo=zone)
    quotes = Quote.objects.filter(
        ticket__store__in=stores,
        status=Quote.Status.APPROVED,
        decided_at__gte=start,
        decided_at__lt=end,
    )
    for quote in quotes.select_related("ticket__store").order_by("decided_at", "pk"):
        lines.append(
            LedgerLine(
                label,
                quote.ticket.store.name,
                "quote",
                f"{quote.ticket.reference}/Q{quote.pk}",
                quote.description[:200],
                quote.amount_inr,
                quote.gst_inr,
                quote.total_inr,
            )
        )
    return lines


def ledger_csv(lines: list[LedgerLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow([formula_safe(str(getattr(line, c))) for c in COLUMNS])
    return out.getvalue()
