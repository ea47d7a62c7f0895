"""helpline mail: ingest messages (files, maildirs, mbox, stdin), poll IMAP, the quarantine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpline.cli_commands.registry import command, fail, handler, setup_django
from helpline.core import display


@command("mail", "Mail in: ingest FILE…|-, poll IMAP once, list and settle the quarantine.")
def _mail_args(parser: argparse.ArgumentParser) -> None:
    subs = parser.add_subparsers(dest="mail_command", metavar="SUBCOMMAND")
    subs.required = True
    ingest = subs.add_parser(
        "ingest", help="Receive raw messages: files, maildirs, mbox files, or - for stdin."
    )
    ingest.add_argument("paths", nargs="+", metavar="FILE|-")
    subs.add_parser("poll", help="Fetch new mail from HELPLINE_IMAP_URL once.")
    quarantine = subs.add_parser("quarantine", help="list | ticket ID [--store ID] | discard ID")
    qsubs = quarantine.add_subparsers(dest="quarantine_command", metavar="ACTION")
    qsubs.add_parser("list", help="Quarantined mail, newest first.")
    make = qsubs.add_parser("ticket", help="Turn a quarantined mail into a ticket.")
    make.add_argument("id", type=int)
    make.add_argument("--store", type=int, default=None, help="the store (default: the sender's)")
    discard = qsubs.add_parser("discard", help="Discard a quarantined mail.")
    discard.add_argument("id", type=int)
    discard.add_argument("--reason", default="")


def _ingest(paths: list[str]) -> int:
    from django.db import DatabaseError

    from helpline.core.storage import StorageUnavailable
    from helpline.mail import sources
    from helpline.mail.services import mail_ingest

    out, code = sys.stdout, 0
    for raw_path in paths:
        if raw_path == "-":
            items = iter([("-", sys.stdin.buffer.read())])
        else:
            items = sources.messages(Path(raw_path))
        try:
            for name, raw in items:
                result = mail_ingest(raw, source="cli", name=name)
                out.write(f"{name}: {result}\n")
                out.flush()
        except OSError as exc:
            sys.stderr.write(f"helpline: {raw_path}: {exc.strerror or exc}\n")
            code = 2
        except DatabaseError as exc:
            # Helpline itself failed: what was not printed was not received; run it again
            # (what was received is recognised as a duplicate).
            sys.stderr.write(f"helpline: {raw_path}: the database failed: {exc}\n")
            return 1
        except StorageUnavailable as exc:  # the same for the file storage (decision 0154)
            sys.stderr.write(f"helpline: {raw_path}: {exc.detail}\n")
            return 1
    return code


@handler("mail")
def _mail(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.core.errors import HelplineError

    if args.mail_command == "ingest":
        return _ingest(args.paths)
    if args.mail_command == "poll":
        from helpline.mail import imap

        try:
            done = imap.poll_once()
        except imap.ImapUnavailable as exc:
            return fail(str(exc))
        for name, result in done:
            sys.stdout.write(f"{name}: {result}\n")
        return 0
    from helpline.mail import quarantine

    action = args.quarantine_command or "list"
    try:
        if action == "list":
            for row in quarantine.quarantine_list(limit=500):
                sys.stdout.write(
                    f"{row.pk}\t{display.when(row.received_at, None)}\t{row.from_address or '-'}\t"
                    f"{row.subject[:60] or '-'}\t{row.reason}\n"
                )
            return 0
        if action == "ticket":
            store = None
            if args.store is not None:
                from helpline.merchants.models import Store

                store = Store.objects.filter(pk=args.store).first()
                if store is None:
                    return fail(f"no store {args.store}")
            ticket = quarantine.quarantine_to_ticket(inbound_id=args.id, actor=None, store=store)
            sys.stdout.write(f"{args.id}: ticket {ticket.reference}\n")
            return 0
        quarantine.quarantine_discard(inbound_id=args.id, actor=None, reason=args.reason)
        sys.stdout.write(f"{args.id}: discarded\n")
        return 0
    except HelplineError as exc:
        return fail(exc.detail)
