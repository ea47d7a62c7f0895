"""Suggestions while a merchant types (decision 0221) at 100,000 tickets and 2,000 articles.

Run (the data directory is built once, ~10 min on two cores, and kept):
    HELPLINE_DATA_DIR=/tmp/kb_bench/data .venv/bin/helpline demo --tickets 100000
    HELPLINE_DATA_DIR=/tmp/kb_bench/data .venv/bin/python bench/knowledge.py [--articles 2000]

Adds published articles through ``knowledge.services.article_create`` until there are
``--articles`` (titles and bodies drawn from a support vocabulary, seeded), then, as the demo
merchant user with the most tickets, sends every draft of both labelled sets
(reports/tests/duplicates.py, holdout.py) as a merchant types it — its first third, two thirds,
then whole — and times, in this process, side by side:

- before: what the panel ran before (decision 0042 without the model): the full-text
  candidates of the draft's words and the open incidents;
- after: ``reports.similar.suggestions_for_draft`` — candidates of the words and their
  families, the writer's recent open tickets, the calibrated score, incidents and articles,
  and the "shown" deflection rows it writes.

Prints p50 / p95 / max per row, and the first call's cost of building the article index.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOPICS = [
    ("card payments declined", "payment gateway key, UPI and card declines at checkout"),
    ("store shows 502 bad gateway", "the storefront is down; check the status page first"),
    ("product images not loading", "broken image icons on product pages after an upload"),
    ("GST missing on invoices", "tax breakup and GSTIN on the invoice template"),
    ("app update pending on Play Store", "release review times for Android app submissions"),
    ("sales report empty", "dashboard shows no data; report filters and dates"),
    ("admin login locked", "password reset and staff accounts locked out"),
    ("shipping rates wrong", "courier charges by weight and pincode"),
    ("coupon code not applying", "coupon dates, minimum order and usage limits"),
    ("SSL certificate expired", "renewing the certificate and the not secure warning"),
    ("OTP SMS not received", "login OTP delivery and SMS sender settings"),
    ("stock not updating", "inventory sync after an order and POS integrations"),
    ("refund not received", "refund timelines from the bank and payment gateway"),
    ("order emails not sent", "notification mail settings and spam folders"),
    ("search shows no results", "reindexing products for the store search"),
    ("cash on delivery missing", "COD limits and pincode serviceability"),
    ("settlement delayed", "payout schedule and bank settlement dates"),
    ("site slow on mobile", "image sizes, themes and page speed"),
    ("bulk product import fails", "CSV template columns and row errors"),
    ("cart empties itself", "cart sessions, cookies and checkout redirects"),
]


def _articles(wanted: int) -> None:
    from helpline.accounts.models import User
    from helpline.knowledge import services
    from helpline.knowledge.models import Article, Category

    have = Article.objects.filter(status="published").count()
    if have >= wanted:
        return
    staff = User.objects.filter(role="admin").first()
    rng = random.Random(7)
    categories = []
    for n in range(10):
        slug = f"bench-{n}"
        found = Category.objects.filter(slug=slug).first()
        categories.append(
            found or services.category_create(actor=staff, name=f"Bench {n}", slug=slug)
        )
    for n in range(have, wanted):
        title, body = rng.choice(TOPICS)
        services.article_create(
            actor=staff,
            category=categories[n % 10],
            title=f"{title.capitalize()} ({n})",
            body=f"## {title}\n\n{body}. " * 3,
            status="published",
            slug=f"a-{n}",
        )


def _drafts() -> list[str]:
    from helpline.reports.tests.duplicates import DUPLICATES
    from helpline.reports.tests.holdout import HOLDOUT

    out = []
    for _, subject, description in [*DUPLICATES, *HOLDOUT]:
        text = f"{subject}\n{description}"
        out += [text[: len(text) // 3], text[: 2 * len(text) // 3], text]
    return out


def _timed(call: Any, drafts: list[str]) -> list[float]:
    times = []
    for text in drafts:
        started = time.perf_counter()
        call(text)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _row(name: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[18]
    return (
        f"{name:<8} {len(times):>6} {statistics.median(times):>8.1f} {p95:>8.1f} {max(times):>8.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    if not os.environ.get("HELPLINE_DATA_DIR"):
        sys.exit("set HELPLINE_DATA_DIR to a directory with `helpline demo --tickets 100000`")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    from django.db.models import Count

    from helpline.accounts.models import User
    from helpline.knowledge import selectors as knowledge
    from helpline.knowledge.models import Article
    from helpline.monitoring import selectors as monitoring
    from helpline.reports import search, similar
    from helpline.tickets.models import OPEN_STATUSES, Ticket

    _articles(args.articles)
    busiest = (
        Ticket.objects.values("store__merchant_id").annotate(n=Count("pk")).order_by("-n").first()
    )
    assert busiest is not None
    user = User.objects.filter(role="merchant", merchant_id=busiest["store__merchant_id"]).first()
    merchant_id = busiest["store__merchant_id"]
    open_count = Ticket.objects.filter(
        store__merchant_id=merchant_id, status__in=[s.value for s in OPEN_STATUSES]
    ).count()
    articles = Article.objects.filter(status="published").count()
    print(
        f"{Ticket.objects.count():,} tickets ({busiest['n']:,} of the merchant, {open_count:,}"
        f" open); {articles:,} published articles"
    )
    started = time.perf_counter()
    knowledge.suggestion_index()
    print(f"article index built on the first call: {(time.perf_counter() - started) * 1000:.0f} ms")
    drafts = _drafts()
    shown: list[int] = []

    def before(text: str) -> None:
        search.similar_by_words(user=user, text=text, limit=similar.LEXICAL_CANDIDATES)
        monitoring.open_incidents()

    def after(text: str) -> None:
        found = similar.suggestions_for_draft(user=user, text=text, already_shown=shown)
        shown.extend(found.newly_shown)

    print(f"{'':<8} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(_row("before", _timed(before, drafts)))
    print(_row("after", _timed(after, drafts)))


if __name__ == "__main__":
    main()
