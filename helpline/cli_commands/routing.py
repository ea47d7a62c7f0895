"""helpline shifts import FILE; helpline doctor; helpline loads [--repair]."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from helpline.cli_commands.registry import command, fail, handler, setup_django

COLUMNS = ("email", "weekday", "start", "end")
WEEKDAYS = {
    name: i
    for i, day in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
    for name in (day, day[:3], str(i))
}
SHIFTS_HELP = """\
A CSV file with a header row and the columns email,weekday,start,end (other columns are
ignored): one row per weekly shift; weekday is Monday…Sunday (or Mon…Sun, or 0–6 from Monday);
start and end are HH:MM in the agent's own time zone, an end at or before the start running
past midnight. Every agent named in the file gets exactly the shifts the file lists for them
(their week is replaced); agents not named keep theirs. Any bad row stops the import with one
line naming the row, and nothing is imported."""


class RowError(ValueError):
    pass


@command("shifts", "Agents' weekly shifts: helpline shifts import FILE.csv")
def _shifts_args(parser: argparse.ArgumentParser) -> None:
    subs = parser.add_subparsers(dest="shifts_command", metavar="SUBCOMMAND")
    subs.required = True
    imp = subs.add_parser(
        "import",
        help="Replace the week of every agent the CSV names.",
        description=SHIFTS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", type=Path, help="CSV: email,weekday,start,end")


def _spec(n: int, row: dict[str, Any]) -> tuple[str, Any]:
    from datetime import time

    from helpline.routing.validation import ShiftSpec

    email = (row.get("email") or "").strip().lower()
    if not email:
        raise RowError(f"row {n}: email is empty")
    day = (row.get("weekday") or "").strip().lower()
    if day not in WEEKDAYS:
        raise RowError(f"row {n}: weekday {day!r} is not a day (Monday…Sunday, Mon…Sun or 0–6)")
    times = []
    for column in ("start", "end"):
        raw = (row.get(column) or "").strip()
        try:
            value = time.fromisoformat(raw) if len(raw) == 5 else None
        except ValueError:
            value = None
        if value is None:
            raise RowError(f"row {n}: {column} {raw!r} is not a time of day (HH:MM, e.g. 09:30)")
        times.append(value)
    return email, ShiftSpec(WEEKDAYS[day], times[0], times[1], label=f"row {n}")


def read_weeks(path: Path) -> dict[str, list[Any]]:
    """The file's shifts by agent's address; ``RowError`` names the first bad row (the header
    is row 1)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RowError(f"row 1: the header lacks {', '.join(missing)} ({','.join(COLUMNS)})")
        weeks: dict[str, list[Any]] = {}
        for n, row in enumerate(reader, start=2):
            if None in row:
                raise RowError(f"row {n}: more cells than the header has columns")
            email, spec = _spec(n, row)
            weeks.setdefault(email, []).append(spec)
    if not weeks:
        raise RowError(f"{path}: no shifts (a header and one row per shift)")
    return weeks


@handler("shifts")
def _shifts(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.core import clock
    from helpline.core.errors import HelplineError
    from helpline.routing import services

    try:
        weeks = read_weeks(args.file)
        done = services.shifts_import(actor=None, weeks=weeks, now=clock.now())
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"{args.file}: cannot be read ({exc})")
    except RowError as exc:
        return fail(str(exc))
    except HelplineError as exc:
        return fail(exc.detail)
    for email, count in sorted(done.items()):
        sys.stdout.write(f"{email}: {count} shift(s)\n")
    return 0


@command("doctor", "Check the installation: on-call gaps, the worker, mail, the base URL.")
def _doctor_args(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "One line per check (ok, or PROBLEM with what to do); exits 1 on any problem."
    )


@handler("doctor")
def _doctor(args: argparse.Namespace) -> int:
    setup_django()
    from helpline import health
    from helpline.core import clock

    checks = health.checks(now=clock.now())
    for check in checks:
        sys.stdout.write(f"{check}\n")
    return 0 if all(c.ok for c in checks) else 1


@command("loads", "Routing's open loads kept by the database: compare with the tickets.")
def _loads_args(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Counts every agent's open tickets by priority again and compares them with the rows "
        "the database keeps for routing (decision 0184): one line per agent who differs; "
        "exits 1 if any does. --repair sets those rows to the counts."
    )
    parser.add_argument("--repair", action="store_true", help="set the rows to the counts")


@handler("loads")
def _loads(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.tickets.services.loads import reconcile

    drift = reconcile(repair=args.repair)
    for user_id, (kept, counted) in drift.items():
        line = f"user {user_id}: kept {kept}, counted {counted} (C1, C2, C3, C4, other)"
        sys.stdout.write(f"{line}\n")
    verb = "repaired" if args.repair else "differ"
    sys.stdout.write(f"{len(drift)} agent(s) {verb}\n" if drift else "ok: every load matches\n")
    return 1 if drift and not args.repair else 0
