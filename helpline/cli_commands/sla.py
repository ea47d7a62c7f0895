"""helpline sla preview: the same answer as GET /api/v1/sla/preview, as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from helpline.cli_commands.registry import command, handler, setup_django


@command("sla", "The support policy: preview deadlines.")
def _sla_args(parser: argparse.ArgumentParser) -> None:
    subs = parser.add_subparsers(dest="sla_command", metavar="SUBCOMMAND")
    subs.required = True
    preview = subs.add_parser("preview", help="When a ticket filed at --at is due (JSON).")
    preview.add_argument("--priority", help="C1–C4 (default: the issue type's)")
    preview.add_argument("--issue-type", dest="issue_type", help="e.g. app-submission")
    preview.add_argument(
        "--at", help="ISO 8601; without an offset it is read in the calendar's zone"
    )
    subs.add_parser(
        "seed-holidays",
        help="The yearly job: seed holiday rows from the previous year through two ahead.",
    )


@handler("sla")
def _sla(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.core.errors import HelplineError
    from helpline.sla.preview import sla_preview
    from helpline.sla.services import holidays_seed

    if args.sla_command == "seed-holidays":
        for calendar, years in holidays_seed().items():
            done = ", ".join(map(str, years)) or "nothing new"
            sys.stdout.write(f"{calendar}: {done}\n")
        return 0
    try:
        answer = sla_preview(priority=args.priority, issue_type=args.issue_type, at=args.at)
    except HelplineError as exc:
        sys.stderr.write(json.dumps({"detail": exc.detail, "code": exc.code}) + "\n")
        return 2
    sys.stdout.write(json.dumps(answer, indent=2) + "\n")
    return 0
