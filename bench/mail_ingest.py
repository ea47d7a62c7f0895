"""How fast is mail in? Messages ingested per second from a maildir, on SQLite, one core.

Run: .venv/bin/python bench/mail_ingest.py [--messages 10000] [--merchants 50]
     (a fresh SQLite database in a temporary directory; DATABASE_URL=postgresql://… to bench
     PostgreSQL — a database the benchmark may fill and leave behind)

The maildir holds real-shaped messages (multipart/alternative text + HTML, quoted history in
replies, Outlook- and Gmail-shaped headers) in this mix: 50 % new tickets from contacts (every
tenth with a PDF or PNG attachment, some with C1/C2 tags), 25 % replies (half by the ticket
reference in the subject, half by In-Reply-To to the merchant's first mail), 15 % auto-replies
and bounces, 5 % unknown senders (flagged or quarantined), 5 % exact duplicates. Each message
goes through ``mail_ingest`` as ``helpline mail ingest`` calls it (parse, route, the ticket
services, the outbox rows of the acknowledgement and the notifications, attachments written
to the data directory). Prints messages/s and ms a message, and the outcomes.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = [
    "checkout",
    "payment",
    "gateway",
    "order",
    "refund",
    "shipping",
    "label",
    "invoice",
    "theme",
    "banner",
    "product",
    "image",
    "catalogue",
    "import",
    "export",
    "customer",
    "login",
    "coupon",
    "discount",
    "tax",
    "report",
    "dashboard",
    "mobile",
    "app",
    "slow",
    "error",
    "blank",
    "page",
    "timeout",
    "stock",
    "variant",
    "price",
    "sync",
    "webhook",
    "domain",
    "ssl",
    "email",
]


def setup() -> None:
    os.environ.setdefault("HELPLINE_DATA_DIR", tempfile.mkdtemp(prefix="helpline-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpline.settings"
    os.environ.setdefault("HELPLINE_MAIL_AUTHSERV_IDS", "mx.bench.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def message(
    rng: random.Random,
    *,
    sender: str,
    subject: str,
    mid: str,
    at: datetime,
    reply_to: str | None = None,
    auto: bool = False,
    attach: bool = False,
) -> bytes:
    msg = EmailMessage()
    # Our MTA's verdict on top, as HELPLINE_MAIL_AUTHSERV_IDS (set below) trusts it.
    msg["Authentication-Results"] = f"mx.bench.test; dmarc=pass header.from={sender.split('@')[-1]}"
    msg["From"] = sender
    msg["To"] = "Support <support@helpline.test>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{mid}>"
    msg["X-Mailer"] = rng.choice(["Microsoft Outlook 16.0", "Apple Mail (2.3731)", "Gmail"])
    text = "\n\n".join(sentence(rng, rng.randint(8, 30)) for _ in range(rng.randint(1, 4)))
    if reply_to:
        msg["In-Reply-To"] = f"<{reply_to}>"
        msg["References"] = f"<{reply_to}>"
        quoted = "\n".join("> " + sentence(rng, 12) for _ in range(rng.randint(3, 12)))
        text += f"\n\nOn Mon, 23 Nov 2026 at 10:00, Support wrote:\n{quoted}\n"
    if auto:
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Autoreply"] = "yes"
    msg.set_content(text + "\n\n--\nSent from my store\n")
    html = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    msg.add_alternative(
        f"<html><body>{html}<img src='https://x.test/p.gif'></body></html>", subtype="html"
    )
    if attach:
        if rng.random() < 0.5:
            msg.add_attachment(
                b"%PDF-1.4\n" + rng.randbytes(40_000),
                maintype="application",
                subtype="pdf",
                filename="invoice.pdf",
            )
        else:
            msg.add_attachment(
                b"\x89PNG\r\n\x1a\n" + rng.randbytes(60_000),
                maintype="image",
                subtype="png",
                filename="screenshot.png",
            )
    return bytes(msg)


def build(directory: Path, count: int, merchants: int, seed: int = 7) -> tuple[Path, list[str]]:
    """The people (merchants, stores, contacts) and a maildir of ``count`` messages."""
    from helpline.accounts import services as accounts
    from helpline.merchants import services as merchant_services

    rng = random.Random(seed)
    t0 = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
    contacts: list[str] = []
    for m in range(merchants):
        merchant = merchant_services.merchant_create(name=f"Merchant {m}", slug=f"m{m}", now=t0)
        for s in range(2):
            merchant_services.store_create(
                merchant=merchant, name=f"Store {s}", url=f"https://s{s}.m{m}.test", now=t0
            )
        accounts.user_create(email=f"owner@m{m}.test", role="merchant", merchant_id=merchant.pk)
        merchant_services.contact_create(merchant=merchant, email=f"ops@m{m}.test", now=t0)
        contacts += [f"owner@m{m}.test", f"ops@m{m}.test"]
    box = mailbox.Maildir(directory / "Maildir", create=True)
    opened: list[tuple[str, str, int]] = []  # (sender, first message id, ticket number)
    raw_list: list[bytes] = []
    tickets = 0  # new tickets are numbered in the order they arrive
    for i in range(count):
        at = t0 + timedelta(seconds=i * 3)
        roll = rng.random()
        mid = f"b{i}.{rng.getrandbits(48):x}@mua.test"
        if roll < 0.25 and opened:
            sender, first, n = rng.choice(opened)
            if rng.random() < 0.5:
                raw = message(rng, sender=sender, subject=f"Re: [HL-{n}] update", mid=mid, at=at)
            else:
                raw = message(
                    rng, sender=sender, subject="Re: update", mid=mid, at=at, reply_to=first
                )
        elif roll < 0.40:
            raw = message(
                rng,
                sender=rng.choice(contacts),
                subject="Automatic reply: Out of office",
                mid=mid,
                at=at,
                auto=True,
            )
        elif roll < 0.45:
            raw = message(
                rng,
                sender=f"stranger{i}@m{rng.randrange(merchants)}.test",
                subject=sentence(rng, 5),
                mid=mid,
                at=at,
            )
            tickets += 1  # flagged, on the store at their domain
        elif roll < 0.50 and raw_list:
            raw = rng.choice(raw_list)  # the same message again (a re-delivery)
        else:
            tag = rng.choices(["", "C1 ", "C2 ", "[C4] "], [80, 3, 10, 7])[0]
            sender = rng.choice(contacts)
            raw = message(
                rng,
                sender=sender,
                subject=tag + sentence(rng, 6),
                mid=mid,
                at=at,
                attach=rng.random() < 0.1,
            )
            tickets += 1
            opened.append((sender, mid, tickets))
        raw_list.append(raw)
        box.add(raw)
    box.close()
    return directory / "Maildir", contacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--merchants", type=int, default=50)
    parser.add_argument(
        "--profile", action="store_true", help="then print cProfile's top functions (CPU time)"
    )
    args = parser.parse_args()
    setup()
    from django.db import connection

    from helpline.mail import sources
    from helpline.mail.parse import parse
    from helpline.mail.services import mail_ingest
    from helpline.tickets.models import Ticket

    work = Path(tempfile.mkdtemp(prefix="helpline-maildir-"))
    started = time.perf_counter()
    maildir, _ = build(work, args.messages, args.merchants)
    built = time.perf_counter() - started
    items = list(sources.messages(maildir))
    outcomes: Counter[str] = Counter()
    spent: defaultdict[str, float] = defaultdict(float)  # CPU seconds by outcome
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile(time.process_time)
        profile.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    for name, raw in items:
        before = time.process_time()
        result = mail_ingest(raw, source="cli", name=name)
        kind = "duplicate" if result.duplicate else result.outcome
        outcomes[kind] += 1
        spent[kind] += time.process_time() - before
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats("helpline/", 60)
    parse_started = time.process_time()
    for _, raw in items:
        parse(raw)
    parse_cpu = time.process_time() - parse_started
    n = len(items)
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores "
        f"(one used), Python {platform.python_version()}, {connection.vendor}"
    )
    print(
        f"maildir: {n} messages built in {built:.1f} s "
        f"({sum(len(r) for _, r in items) / n / 1024:.1f} KiB a message on average)"
    )
    print(
        f"ingested: {n / elapsed:.0f} messages/s ({elapsed / n * 1000:.2f} ms a message; "
        f"{elapsed:.1f} s in all)"
    )
    # On a shared machine the wall time includes waiting for a core; the CPU time is what one
    # core of our own would take (SQLite is in-process, so it is counted there too).
    print(
        f"CPU time: {n / cpu:.0f} messages/s ({cpu / n * 1000:.2f} ms a message; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(
        "CPU ms a message by outcome: "
        + ", ".join(f"{k} {spent[k] / outcomes[k] * 1000:.2f}" for k in sorted(outcomes))
        + f"; of which parse() alone {parse_cpu / n * 1000:.2f} on average"
    )
    print(f"tickets: {Ticket.objects.count()}")


if __name__ == "__main__":
    main()
