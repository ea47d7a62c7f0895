"""How fast parse() is: bytes → ParsedMessage, one core, no database.

    .venv/bin/python bench/mail_parse.py [--rounds N]

Three sets: "typical" (our fixtures, talon's replies, django-helpdesk's messages: real-shaped
human mail of 1–10 kB), "robots" (sisimai's bounces), and "whole corpus" (every file of
../shared/corpora/email, including multi-MB torture tests). Prints per-message mean and median,
and messages per second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from helpline.mail.parse import parse
from helpline.mail.tests.reply_expectations import corpus_root

REPO = Path(__file__).resolve().parents[1]


def measure(name: str, messages: list[bytes], rounds: int) -> None:
    times = []
    for _ in range(rounds):
        for raw in messages:
            started = time.perf_counter()
            parse(raw)
            times.append(time.perf_counter() - started)
    total = sum(times)
    size = sum(len(m) for m in messages) / max(1, len(messages))
    print(
        f"{name:<14} {len(messages):>5} msgs, avg {size / 1024:7.1f} kB: "
        f"mean {1e6 * total / len(times):8.0f} µs, median {1e6 * statistics.median(times):6.0f} µs,"
        f" p99 {1e6 * sorted(times)[int(len(times) * 0.99)]:8.0f} µs, "
        f"{len(times) / total:7.0f} msgs/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    root = corpus_root()
    fixtures = sorted((REPO / "helpline/mail/tests/fixtures").glob("*.eml"))
    typical = [p.read_bytes() for p in fixtures]
    if root is not None:
        typical += [p.read_bytes() for p in sorted((root / "talon/standard_replies").glob("*.eml"))]
        typical += [p.read_bytes() for p in sorted((root / "django-helpdesk").glob("*.eml"))]
    measure("typical", typical, args.rounds)
    if root is None:
        print("corpus not found: only our fixtures measured")
        return 0
    bounces = [
        p.read_bytes() for p in sorted((root / "sisimai-set-of-emails/maildir/bsd").glob("*"))
    ]
    measure("robots", bounces, max(1, args.rounds // 10))
    everything = [
        p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in ("LICENSE", "README.md")
    ]
    measure("whole corpus", everything, 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
