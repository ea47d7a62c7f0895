"""The ``helpline`` command.

A thin layer like the API and the web views: it parses arguments, calls one service, prints.
Subcommands register themselves in ``cli_commands.registry.COMMANDS``; each gets an
``argparse`` sub-parser and a handler ``(args) -> int``. Django is set up lazily, after the
arguments are read, so that ``helpline --help`` works without a database and a configuration
error is one clear line.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from helpline.cli_commands.registry import COMMANDS, RUNNING


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helpline", description="Helpline, the support desk of the e-commerce platform."
    )
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    subs.required = True
    for name, (help_text, configure, _) in COMMANDS.items():
        sub = subs.add_parser(name, help=help_text, description=help_text)
        configure(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Import the command modules so that they register themselves.
    from helpline import cli_commands  # noqa: F401

    parser = build_parser()
    args, extra = parser.parse_known_args(list(argv) if argv is not None else None)
    if extra and args.command != "manage":
        parser.error(f"unrecognised arguments: {' '.join(extra)}")
    args.extra = extra
    RUNNING["command"] = args.command
    return COMMANDS[args.command][2](args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
