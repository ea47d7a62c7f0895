"""Precision at 3 of "has this already been reported?" on the labelled duplicate set.

Run: .venv/bin/python bench/similar.py
     (the semantic figure needs the extra: .venv/bin/pip install -e '.[semantic]')

A fresh SQLite database in a temporary HELPLINE_DATA_DIR; the 62 texts of
helpline/reports/tests/duplicates.py filed as open tickets of one merchant through
``ticket_create``; each text of a duplicate group is then the draft, and the top 3 suggestions
(excluding itself) are compared with its group. Prints P@3 for lexical alone and lexical +
semantic, and the time per suggestion.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ["HELPLINE_DATA_DIR"] = tempfile.mkdtemp()
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from helpline.accounts import services as accounts
    from helpline.merchants import services as merchants
    from helpline.reports import similar
    from helpline.reports.tests.duplicates import DUPLICATES, precision_at_3
    from helpline.tickets import services

    now = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    merchant = merchants.merchant_create(name="Acme", slug="acme", now=now)
    store = merchants.store_create(merchant=merchant, name="Acme", url="https://a.test", now=now)
    user = accounts.user_create(email="a@acme.test", role="merchant", merchant_id=merchant.pk)
    tickets = [
        services.ticket_create(
            actor=user,
            store=store,
            subject=s,
            description=d,
            issue_type="functionality",
            now=now,
        )
        for _, s, d in DUPLICATES
    ]
    queries = sum(1 for g, _, _ in DUPLICATES if not g.startswith("solo-"))
    groups = len({g for g, _, _ in DUPLICATES if not g.startswith("solo-")})
    print(f"{len(DUPLICATES)} texts, {groups} duplicate groups, {queries} drafts")
    started = time.perf_counter()
    lexical = precision_at_3(user, tickets, semantic=False)
    per = (time.perf_counter() - started) / queries
    print(f"lexical (FTS5 BM25):            P@3 = {lexical:.3f}   {per * 1000:.1f} ms a draft")
    if similar.semantic_model() is None:
        print("lexical + semantic: not measured (the semantic extra is not installed)")
        return
    started = time.perf_counter()
    combined = precision_at_3(user, tickets, semantic=True)
    per = (time.perf_counter() - started) / queries
    print(f"lexical + semantic (MiniLM-L6): P@3 = {combined:.3f}   {per * 1000:.1f} ms a draft")


if __name__ == "__main__":
    main()
