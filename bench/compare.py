"""Run one benchmark on the code before and the code now, alternately, in one run.

Run: .venv/bin/python bench/compare.py --before REV [--rounds 2] -- SCRIPT [ARGS…]
     e.g. bench/compare.py --before c3b2a22 -- deadlines.py 20000
          bench/compare.py --before c3b2a22 --rounds 3 -- api_create.py --creations 1000

These machines are noisy: a figure measured an hour ago on other code says little. This checks
REV out into a temporary git worktree and runs ``bench/SCRIPT ARGS`` from each tree in turn —
before, now, before, now … — with the tree as the working directory and first on
``PYTHONPATH``, so each run imports its own ``helpline`` (and the subprocesses it starts do
too). The one virtual environment serves both (the editable install's finder comes after
``PYTHONPATH``). Each run's output is printed whole under a header naming the tree and round,
then the lines that differ between the last two runs side by side. The worktree is removed at
the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _worktree(rev: str, where: Path) -> Path:
    tree = where / "before"
    subprocess.run(  # noqa: S603 - git, with a revision the person running this named
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), rev],  # noqa: S607
        check=True,
    )
    return tree


def _run(tree: Path, script: str, args: list[str]) -> tuple[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - this interpreter, one of our own bench scripts
        [sys.executable, str(tree / "bench" / script), *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    out = done.stdout + (f"\n[stderr]\n{done.stderr}" if done.returncode else "")
    if done.returncode:
        out += f"\n[exit {done.returncode}]"
    return out, elapsed


def _side_by_side(before: str, now: str) -> str:
    rows = []
    left, right = before.splitlines(), now.splitlines()
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ""
        b = right[i] if i < len(right) else ""
        if a != b:
            rows.append(f"  before | {a}\n     now | {b}")
    return "\n".join(rows) or "  (the same output)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("script", help="a script under bench/, e.g. deadlines.py")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args()
    args = [a for a in opts.args if a != "--"]
    with tempfile.TemporaryDirectory(prefix="helpline-compare-") as tmp:
        before_tree = _worktree(opts.before, Path(tmp))
        try:
            last: dict[str, str] = {}
            for round_no in range(1, opts.rounds + 1):
                for label, tree in (("before " + opts.before, before_tree), ("now", ROOT)):
                    out, elapsed = _run(tree, opts.script, args)
                    print(f"==== {label}, round {round_no} ({elapsed:.1f} s) ====")
                    print(out.rstrip(), flush=True)
                    last["before" if tree == before_tree else "now"] = out
            print("==== lines that differ, last round ====")
            print(_side_by_side(last["before"], last["now"]))
        finally:
            subprocess.run(  # noqa: S603 - git removing the worktree made above
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before_tree)],  # noqa: S607
                check=False,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
