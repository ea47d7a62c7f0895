"""Subcommands of ``helpline``; importing this package registers them all."""

from helpline.cli_commands import (  # noqa: F401
    audit,
    backup,
    demo,
    ledger,
    mail,
    people,
    privacy,
    routing,
    server,
    sla,
    storage,
    worker,
)
