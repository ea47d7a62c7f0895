"""Reply extraction against the hand-written expectations: how often ours matches exactly.

    .venv/bin/python bench/mail_replies.py [-v]

Prints the match rate (whitespace-normalised exact match) and every miss with what we produced.
The expectations are in helpline/mail/tests/reply_expectations.py; the corpus is
../shared/corpora/email/ beside the repository.
"""

from __future__ import annotations

import sys
import time

from helpline.mail.tests.reply_expectations import corpus_root, evaluate, normalise


def main() -> int:
    root = corpus_root()
    if root is None:
        print("corpus not found (../shared/corpora/email)")
        return 1
    started = time.perf_counter()
    results = evaluate(root)
    elapsed = time.perf_counter() - started
    misses = [(k, e, g) for k, e, g in results if normalise(e) != normalise(g)]
    matched = len(results) - len(misses)
    print(
        f"reply extraction: {matched}/{len(results)} match exactly "
        f"({100 * matched / len(results):.1f} %), {elapsed * 1000:.1f} ms for all"
    )
    for key, expected, got in misses:
        print(
            f"\nMISS {key}\n  expected: {normalise(expected)[:300]!r}\n  got:      "
            f"{normalise(got)[:300]!r}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
