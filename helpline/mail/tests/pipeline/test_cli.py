"""helpline mail ingest (files, a maildir, an mbox, stdin) and helpline mail quarantine."""

from __future__ import annotations

import io
import mailbox
import sys

import pytest
from django.test import override_settings

from helpline.cli import main
from helpline.mail.models import InboundMail
from helpline.mail.tests.pipeline.mails import mail
from helpline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_ingest_files_maildir_mbox_and_stdin(cast, tmp_path, capsys, monkeypatch):
    one = tmp_path / "one.eml"
    one.write_bytes(mail(subject="C1 down"))
    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"\x00\x01 not a mail at all")
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(mail(subject="from the maildir"))
    box.add(mail(headers={"Auto-Submitted": "auto-replied"}, subject="Out of office"))
    mbox = mailbox.mbox(tmp_path / "archive.mbox", create=True)
    mbox.add(mail(subject="first in mbox"))
    mbox.add(mail(sender="nobody@nowhere.test", subject="second in mbox"))
    mbox.flush()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(mail(subject="stdin"))))
    code = main(
        [
            "mail",
            "ingest",
            str(one),
            str(junk),
            str(tmp_path / "Maildir"),
            str(tmp_path / "archive.mbox"),
            "-",
        ]
    )
    out = capsys.readouterr().out.splitlines()
    refs = [t.reference for t in Ticket.objects.order_by("pk")]
    assert code == 0
    assert out[0] == f"one.eml: ticket {refs[0]}"
    assert out[1].startswith("junk.eml: quarantined (no sender address")
    maildir = out[2:4]  # in the order of the maildir's file names
    assert all(line.startswith("Maildir/new/") for line in maildir)
    assert any(line.endswith(f": ticket {refs[1]}") for line in maildir)
    assert any(": ignored (automatic mail: " in line for line in maildir)
    assert out[4] == f"archive.mbox#1: ticket {refs[2]}"
    assert out[5] == "archive.mbox#2: quarantined (unknown sender; no store at nowhere.test)"
    assert out[6] == f"-: ticket {refs[3]}"
    assert len(out) == 7 and InboundMail.objects.count() == 7
    # Again: every message is a duplicate, nothing new.
    main(["mail", "ingest", str(one)])
    assert (
        capsys.readouterr().out.strip()
        == f"one.eml: ignored (duplicate: already received as ticket {refs[0]})"
    )


def test_missing_path_is_an_error_not_a_traceback(cast, capsys):
    assert main(["mail", "ingest", "/nonexistent/mail.eml"]) == 2
    assert "No such file" in capsys.readouterr().err


def test_quarantine_list_ticket_discard(cast, tmp_path, capsys):
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine"):
        for sender in ("new@bolt.test", "spam@nowhere.test"):
            path = tmp_path / f"{sender}.eml"
            path.write_bytes(mail(sender=sender, subject=f"hello from {sender}"))
            main(["mail", "ingest", str(path)])
    capsys.readouterr()
    assert main(["mail", "quarantine", "list"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(r[2], r[4]) for r in rows] == [
        ("spam@nowhere.test", "unknown sender"),
        ("new@bolt.test", "unknown sender"),
    ]
    spam, new = rows[0][0], rows[1][0]
    assert main(["mail", "quarantine", "ticket", spam]) == 2
    assert "name the store" in capsys.readouterr().err
    assert main(["mail", "quarantine", "ticket", new]) == 0
    ticket = Ticket.objects.get()
    assert capsys.readouterr().out.strip() == f"{new}: ticket {ticket.reference}"
    assert main(["mail", "quarantine", "discard", spam, "--reason", "spam"]) == 0
    assert capsys.readouterr().out == f"{spam}: discarded\n"
    main(["mail", "quarantine", "list"])
    assert capsys.readouterr().out == ""
