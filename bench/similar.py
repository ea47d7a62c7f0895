""" "Already reported?" on the two labelled sets: found when an earlier ticket exists, quiet when
none does (decision 0221), beside the text-only threshold it was chosen from.

Run: .venv/bin/python bench/similar.py           # the rates, side by side, both sets
     .venv/bin/python bench/similar.py --fit     # also refit INTERCEPT and TEXT (labelled set)

A fresh SQLite database in a temporary HELPLINE_DATA_DIR; each set's texts filed as open
tickets of one merchant through ``ticket_create`` (the labelled set, then — in a second
merchant, so the sets never see each other — the holdout); each text is then the draft.
Columns: P@3 of decision 0042 (duplicates among the top 3 ÷ min(3, duplicates)); "found" — the
share of duplicate drafts with an earlier ticket among what is shown; "quiet" — the share of
drafts with no earlier ticket that are shown nothing; the time per draft. Rows: "before" — the
best 3 of any candidate whatever its score (what decision 0042 showed without the model),
"after" — the calibrated score and its threshold (reports.similar).
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _file(name: str, entries: list[tuple[str, str, str]], now: datetime) -> tuple[Any, list[Any]]:
    from helpline.accounts import services as accounts
    from helpline.merchants import services as merchants
    from helpline.tickets import services

    merchant = merchants.merchant_create(name=name, slug=name.lower(), now=now)
    store = merchants.store_create(
        merchant=merchant, name=name, url=f"https://{name}.test", now=now
    )
    user = accounts.user_create(email=f"a@{name}.test", role="merchant", merchant_id=merchant.pk)
    tickets = [
        services.ticket_create(
            actor=user, store=store, subject=s, description=d, issue_type="functionality", now=now
        )
        for _, s, d in entries
    ]
    return user, tickets


def _before(
    user: Any, tickets: list[Any], entries: list[tuple[str, str, str]]
) -> tuple[float, float]:
    """The best three of the full-text candidates, whatever their score (no threshold)."""
    from helpline.reports import search
    from helpline.reports.tests.duplicates import both_sides

    def best_three(text: str, exclude: int) -> list[Any]:
        return [
            h.ticket
            for h in search.similar_by_words(user=user, text=text, limit=3, exclude=exclude)
        ]

    return both_sides(user, tickets, entries, suggest=best_three)


def _fit(entries: list[tuple[str, str, str]]) -> tuple[float, float]:
    """Logistic regression of "same group" on the text similarity, over every ordered pair."""
    from helpline.core import wording

    terms = [wording.terms(f"{s}\n{d}") for _, s, d in entries]
    pairs = [
        (wording.similarity(terms[i], terms[j]), int(gi == gj and not gi.startswith("solo-")))
        for i, (gi, _, _) in enumerate(entries)
        for j, (gj, _, _) in enumerate(entries)
        if i != j
    ]
    b0 = b1 = 0.0
    for _ in range(4000):  # gradient descent on the mean log-loss
        g0 = g1 = 0.0
        for x, y in pairs:
            p = 1 / (1 + math.exp(-(b0 + b1 * x)))
            g0 += p - y
            g1 += (p - y) * x
        b0 -= 10 * g0 / len(pairs)
        b1 -= 10 * g1 / len(pairs)
    return b0, b1


def main() -> None:
    os.environ["HELPLINE_DATA_DIR"] = tempfile.mkdtemp()
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from helpline.reports import similar
    from helpline.reports.tests.duplicates import DUPLICATES, both_sides, precision_at_3
    from helpline.reports.tests.holdout import HOLDOUT

    now = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    print(f"threshold: p >= {similar.SHOW_AT:.3f} (similarity {similar.SHOW_AT_SIMILARITY})")
    print(
        f"{'set':<10} {'drafts':>6} {'row':<7} {'P@3':>5} {'found':>6} {'quiet':>6} {'ms/draft':>8}"
    )
    for name, entries in (("labelled", DUPLICATES), ("holdout", HOLDOUT)):
        user, tickets = _file(name, entries, now)
        started = time.perf_counter()
        before = _before(user, tickets, entries)
        per_before = (time.perf_counter() - started) / len(entries) * 1000
        started = time.perf_counter()
        after = both_sides(user, tickets, entries)
        per_after = (time.perf_counter() - started) / len(entries) * 1000
        p3 = precision_at_3(user, tickets, semantic=False) if name == "labelled" else float("nan")
        row = "{:<10} {:>6} {:<7} {:>5} {:>6.3f} {:>6.3f} {:>8.1f}"
        print(row.format(name, len(entries), "before", "", *before, per_before))
        print(row.format("", "", "after", f"{p3:.3f}", *after, per_after))
    if "--fit" in sys.argv:
        b0, b1 = _fit(DUPLICATES)
        print(f"fit on the labelled set: INTERCEPT = {b0:.2f}, TEXT = {b1:.2f}")


if __name__ == "__main__":
    main()
