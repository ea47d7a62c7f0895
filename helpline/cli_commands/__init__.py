"""Subcommands of ``helpline``; importing this package registers them all."""

from helpline.cli_commands import demo, people, server, sla, worker  # noqa: F401
