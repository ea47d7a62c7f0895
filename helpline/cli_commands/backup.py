"""helpline backup DEST, helpline restore SRC (``helpline.backup``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpline.cli_commands.registry import command, fail, handler, setup_django


@command(
    "backup",
    "Write a backup archive: the SQLite database (a consistent copy while Helpline runs), the "
    "files and the secret key (on PostgreSQL: the files; the database is pg_dump's).",
)
def _backup_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", type=Path, help="the archive file (replaced only once complete)")


@handler("backup")
def _backup(args: argparse.Namespace) -> int:
    setup_django()
    from helpline import backup
    from helpline.core import clock

    return _report("backup written", lambda: backup.backup(args.dest, now=clock.now()))


@command(
    "restore",
    "Restore a backup archive written by `helpline backup`: the database (SQLite), the files, "
    "the secret key.",
)
def _restore_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", type=Path, help="the archive")
    parser.add_argument(
        "--force", action="store_true", help="replace a database that already holds tickets"
    )


@handler("restore")
def _restore(args: argparse.Namespace) -> int:
    setup_django()
    from helpline import backup

    return _report("restored", lambda: backup.restore(args.src, force=args.force))


def _report(done: str, run: Callable[[], Any]) -> int:
    """Run a backup or a restore; one line of what was done and its notes, or the error."""
    from helpline import backup

    try:
        summary = run()
    except backup.BackupError as exc:
        return fail(str(exc), 1)
    sys.stdout.write(f"{done}: {summary}\n")
    if summary.database != "sqlite":
        sys.stdout.write(f"note: {backup.PG_DUMP_HINT}\n")
    if summary.key_changed:
        sys.stdout.write("note: the secret key was put back: restart `helpline serve`\n")
    return 0
