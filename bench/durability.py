"""What synchronous=FULL costs SQLite (decision 0148): the same benches under NORMAL and FULL.

Run: .venv/bin/python bench/durability.py [--rounds 2] [--creations 500] [--messages 1000]

Alternately, in one run — normal, full, normal, full … — each in a fresh temporary database:
``bench/api_create.py`` (ticket creations through the API, in process) and
``bench/mail_ingest.py`` (messages through ``mail_ingest``), with ``HELPLINE_SQLITE_SYNCHRONOUS``
set to the mode. Prints each run's summary lines and, at the end, the last round side by side.
Wall time includes waiting for the disk (the WAL's fsync at every commit under FULL); CPU time
does not, so the two together say where the cost is.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SUMMARY = ("wall:", "ingested:", "CPU time:")


def run(mode: str, script: str, args: list[str]) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "DATABASE_"))}
    env["HELPLINE_SQLITE_SYNCHRONOUS"] = mode
    done = subprocess.run(  # noqa: S603 - this interpreter, one of our own bench scripts
        [sys.executable, str(BENCH / script), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return [f"{script} failed: {done.stderr.strip().splitlines()[-1:]}"]
    return [line for line in done.stdout.splitlines() if line.startswith(SUMMARY)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--creations", type=int, default=500)
    parser.add_argument("--messages", type=int, default=1000)
    opts = parser.parse_args()
    benches = [
        ("api_create.py", ["--creations", str(opts.creations), "--repeat", "3"]),
        ("mail_ingest.py", ["--messages", str(opts.messages)]),
    ]
    last: dict[str, list[str]] = {}
    for round_no in range(1, opts.rounds + 1):
        for mode in ("normal", "full"):
            lines = [line for script, args in benches for line in run(mode, script, args)]
            print(f"== round {round_no}, synchronous={mode.upper()}")
            for line in lines:
                print(f"   {line}")
            sys.stdout.flush()
            last[mode] = lines
    print("== last round side by side")
    for a, b in zip(last["normal"], last["full"], strict=False):
        print(f"  NORMAL | {a}\n    FULL | {b}")


if __name__ == "__main__":
    main()
