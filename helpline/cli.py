"""The ``helpline`` command.

A thin layer like the API and the web views: it parses arguments, calls one service, prints.
Subcommands register themselves in ``COMMANDS``; each gets an ``argparse`` sub-parser and a
handler ``(args) -> int``. Django is set up lazily, after the arguments are read, so that
``helpline --help`` works without a database and a configuration error is one clear line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(
    name: str, help_text: str
) -> Callable[[Callable[[argparse.ArgumentParser], None]], Any]:
    """Register ``configure(parser)``; the handler is set by ``@handler(name)``."""

    def decorate(configure: Callable[[argparse.ArgumentParser], None]) -> Any:
        COMMANDS[name] = (help_text, configure, _missing)
        return configure

    return decorate


def handler(name: str) -> Callable[[Handler], Handler]:
    def decorate(func: Handler) -> Handler:
        help_text, configure, _ = COMMANDS[name]
        COMMANDS[name] = (help_text, configure, func)
        return func

    return decorate


def _missing(args: argparse.Namespace) -> int:  # pragma: no cover - programming error
    raise SystemExit("helpline: command has no handler")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()


def fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"helpline: {message}\n")
    return code


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
    return COMMANDS[args.command][2](args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
