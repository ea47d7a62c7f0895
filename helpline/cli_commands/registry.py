"""The registry of ``helpline``'s subcommands, and what every command module shares.

Each module of this package registers its subcommands with ``@command`` (an ``argparse``
sub-parser) and ``@handler`` (``(args) -> int``); ``helpline.cli`` builds the parser from
``COMMANDS``. Kept apart from ``helpline.cli`` so that the entry point imports the commands and
the commands never import the entry point.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}
RUNNING = {"command": ""}  # the subcommand being run (helpline.cli.main sets it)


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
    # Entries the audit trail writes outside a request name this command and the OS user.
    from helpline.audit import context

    context.set_process(f"cli: helpline {RUNNING['command']}".strip())


def fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"helpline: {message}\n")
    return code
