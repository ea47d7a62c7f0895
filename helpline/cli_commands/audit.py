"""helpline audit verify: check the audit trail's hash chain end to end."""

from __future__ import annotations

import argparse
import sys

from helpline.cli_commands.registry import command, handler, setup_django


@command("audit", "The audit trail: helpline audit verify")
def _audit_args(parser: argparse.ArgumentParser) -> None:
    subs = parser.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    subs.required = True
    subs.add_parser(
        "verify",
        help="Check every entry's hash and link; name the first broken entry (exit 1).",
    )


@handler("audit")
def _audit(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.audit import chain

    verdict = chain.verify()
    (sys.stdout if verdict.ok else sys.stderr).write(f"{verdict}\n")
    return 0 if verdict.ok else 1
