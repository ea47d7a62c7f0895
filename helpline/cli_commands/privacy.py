"""helpline personal-data export USER_OR_EMAIL DEST; helpline personal-data erase USER_OR_EMAIL."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from helpline.cli_commands.registry import command, fail, handler, setup_django


@command("personal-data", "A person's data on request: export (one zip) or erase (pseudonym)")
def _args(parser: argparse.ArgumentParser) -> None:
    subs = parser.add_subparsers(dest="pd_command", metavar="SUBCOMMAND")
    subs.required = True
    exp = subs.add_parser("export", help="Everything about a person as one zip archive.")
    exp.add_argument("person", help="an account's id or e-mail, or a contact's address")
    exp.add_argument("dest", type=Path, help="the zip to write, or a directory for it")
    erase = subs.add_parser(
        "erase", help="Replace the person by a pseudonym everywhere (cannot be undone)."
    )
    erase.add_argument("person", help="an account's id or e-mail, or a contact's address")
    erase.add_argument("--yes", action="store_true", help="required: erasure is final")


@handler("personal-data")
def _run(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.core.errors import HelplineError
    from helpline.privacy import services

    try:
        if args.pd_command == "export":
            path = services.personal_data_export(person=args.person, dest=args.dest)
            sys.stdout.write(f"{path}\n")
            return 0
        if not args.yes:
            return fail("erasure cannot be undone: add --yes")
        counts = services.personal_data_erase(person=args.person)
        sys.stdout.write(json.dumps(counts) + "\n")
        return 0
    except HelplineError as exc:
        return fail(exc.detail, 1)
