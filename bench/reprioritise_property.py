"""Re-prioritising never buys time: 10,000 random change sequences through the pure engine.

Run: .venv/bin/python bench/reprioritise_property.py [sequences] [--seed N]

Each sequence files a ticket at a random instant (to the second, 30 Nov 2026 – June 2027) with a
random issue type and applies 1–8 random steps up to three days apart: a priority change, an
issue-type change, a pause or a resume (``helpline.sla.tests.reprio_model.random_case``).
``sla.reprioritise`` moves the targets; an independent checker holds every deadline against
the policy (never later than one had under a target at least as long of the same or a lower
priority; a lowering equals filing at that priority). Prints the violations (goal: 0), the
sequences, changes and targets checked, and the time. One core, no database.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpline.sla.tests import reprio_model as model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sequences", type=int, nargs="?", default=10_000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = [model.random_case(rng) for _ in range(args.sequences)]
    changes = sum(
        1 for _, _, steps in cases for _, s in steps if s[0] in ("priority", "issue_type")
    )
    violations: list[str] = []
    started = time.perf_counter()
    for start, issue_type, steps in cases:
        _sim, checker = model.run(start, issue_type, steps)
        violations.extend(checker.violations)
    took = time.perf_counter() - started
    print(f"sequences: {len(cases):,} (seed {args.seed}); changes: {changes:,}")
    print(f"violations: {len(violations)}")
    for line in violations[:10]:
        print("  ", line)
    print(f"time: {took:.1f} s ({took / len(cases) * 1000:.2f} ms a sequence)")
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
