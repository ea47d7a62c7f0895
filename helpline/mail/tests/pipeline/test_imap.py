"""The IMAP poller against a real Dovecot on loopback: an appended message becomes a ticket; a
crash between fetch and commit, or between commit and flag, loses nothing and duplicates
nothing."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from imap_tools import AND, MailBoxUnencrypted

from helpline.mail import imap
from helpline.mail.models import InboundMail
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.dovecot import BINARY, PASSWORD, USER, Dovecot
from helpline.mail.tests.pipeline.mails import mail
from helpline.tickets.models import Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        BINARY is None, reason="dovecot is not installed (apt-get install dovecot-imapd)"
    ),
]
OPEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def policy(transactional_db: Any) -> None:
    """The default policy (a data migration) again after another transactional test's flush."""
    from helpline.sla import models as sla_models
    from helpline.sla import services as sla_services

    if not sla_models.PolicyVersion.objects.exists():
        sla_services.seed_defaults(sla_models, now=OPEN)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    # Not pytest's tmp_path: its parents are private (0700) and Dovecot's unprivileged
    # processes must reach the passwd file and the mail.
    root = Path(tempfile.mkdtemp(prefix="helpline-dovecot-"))
    server = Dovecot(root)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def append(server: Dovecot, raw: bytes) -> None:
    with MailBoxUnencrypted("127.0.0.1", server.port).login(USER, PASSWORD) as box:
        box.append(raw, "INBOX")


def unseen(server: Dovecot) -> int:
    with MailBoxUnencrypted("127.0.0.1", server.port).login(USER, PASSWORD) as box:
        return len(box.uids(AND(seen=False)))


class Crash(Exception):
    pass


def test_appended_message_becomes_a_ticket_and_is_flagged_seen(cast, dovecot):
    append(dovecot, mail(subject="C2 payments failing"))
    done = imap.poll_once(url=dovecot.url, now=OPEN)
    ((name, result),) = done
    assert name == "imap:INBOX/1" and result.outcome == "ticket"
    assert Ticket.objects.get().priority == "C2"
    assert unseen(dovecot) == 0
    assert imap.poll_once(url=dovecot.url, now=OPEN) == []  # nothing new


def in_folder(server: Dovecot, folder: str) -> int:
    with MailBoxUnencrypted("127.0.0.1", server.port).login(USER, PASSWORD) as box:
        if not box.folder.exists(folder):
            return -1
        box.folder.set(folder)
        return len(box.uids())


def test_with_a_done_folder_messages_move_there_after_their_commit(cast, dovecot, settings):
    settings.MAIL_IMAP_DONE_FOLDER = "Helpline-done"
    append(dovecot, mail(subject="First", message_id="<move-1@mua.test>"))
    append(dovecot, mail(subject="Second", message_id="<move-2@mua.test>"))
    assert in_folder(dovecot, "Helpline-done") == -1  # made on first use

    def ingest_then_die(raw: bytes, **kw: Any) -> Any:
        mail_ingest(raw, **kw)  # committed
        raise Crash("killed before the move")

    with pytest.raises(Crash):
        imap.poll_once(url=dovecot.url, now=OPEN, ingest=ingest_then_die)
    assert Ticket.objects.count() == 1  # committed, not moved: still in the inbox
    assert in_folder(dovecot, "INBOX") == 2 and in_folder(dovecot, "Helpline-done") == 0
    done = imap.poll_once(url=dovecot.url, now=OPEN)
    assert [r.duplicate for _, r in done] == [True, False] and Ticket.objects.count() == 2
    assert in_folder(dovecot, "INBOX") == 0 and in_folder(dovecot, "Helpline-done") == 2
    assert imap.poll_once(url=dovecot.url, now=OPEN) == []


def test_crash_between_fetch_and_commit_loses_nothing(cast, dovecot):
    append(dovecot, mail(message_id="<crash-1@mua.test>"))

    def failing_ingest(raw: bytes, **kw: Any) -> Any:
        # Fetched; the transaction is rolled back as if the process died before its commit.
        from django.db import transaction

        with transaction.atomic():
            mail_ingest(raw, **kw)
            raise Crash("killed before commit")

    with pytest.raises(Crash):
        imap.poll_once(url=dovecot.url, now=OPEN, ingest=failing_ingest)
    assert Ticket.objects.count() == 0 and InboundMail.objects.count() == 0
    assert unseen(dovecot) == 1  # not flagged: it will be fetched again
    ((_, result),) = imap.poll_once(url=dovecot.url, now=OPEN)
    assert result.outcome == "ticket" and Ticket.objects.count() == 1
    assert unseen(dovecot) == 0


def test_crash_between_commit_and_flag_duplicates_nothing(cast, dovecot):
    append(dovecot, mail(message_id="<crash-2@mua.test>"))

    def ingest_then_die(raw: bytes, **kw: Any) -> Any:
        mail_ingest(raw, **kw)  # committed
        raise Crash("killed before the \\Seen flag")

    with pytest.raises(Crash):
        imap.poll_once(url=dovecot.url, now=OPEN, ingest=ingest_then_die)
    assert Ticket.objects.count() == 1 and unseen(dovecot) == 1
    ((_, again),) = imap.poll_once(url=dovecot.url, now=OPEN)
    assert again.duplicate and Ticket.objects.count() == 1 and InboundMail.objects.count() == 1
    assert unseen(dovecot) == 0


def test_server_down_is_a_clear_error(cast, dovecot):
    url = dovecot.url
    dovecot.stop()
    with pytest.raises(imap.ImapUnavailable, match=r"IMAP 127\.0\.0\.1"):
        imap.poll_once(url=url, now=OPEN)
    bad = url.replace(PASSWORD, "wrong")
    dovecot.start()
    with pytest.raises(imap.ImapUnavailable):
        imap.poll_once(url=bad, now=OPEN)


def test_the_worker_step_polls_the_mailbox(cast, dovecot, settings):
    from helpline import worker

    settings.MAIL_IMAP_URL = dovecot.url
    append(dovecot, mail(subject="From the worker"))
    result = worker.run_once(now=OPEN)
    assert result.mail_in == 1 and Ticket.objects.get().subject == "From the worker"
    dovecot.stop()
    assert worker.run_once(now=OPEN).mail_in == 0  # a server that is down is logged, not raised
