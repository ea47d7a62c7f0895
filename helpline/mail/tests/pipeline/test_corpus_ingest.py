"""The shared corpus through the whole pipeline (mail_ingest, not only the parser): nothing
raises; bounces, complaints, receipts and auto-replies open no ticket and send nothing;
django-helpdesk's messages from a contact become tickets with readable bodies."""

from __future__ import annotations

import pytest

from helpline.mail.models import InboundMail, Outcome
from helpline.mail.parse import parse
from helpline.mail.services import mail_ingest
from helpline.mail.tests.test_corpus import (
    MBOXES,
    MIMEKIT_ROBOTS,
    ROOT,
    SISIMAI_HUMAN,
    SISIMAI_HUMAN_IN_MBOX,
    SISIMAI_NOT_MESSAGES,
    mbox_messages,
    needs_corpus,
)
from helpline.merchants import services as merchants
from helpline.outbox.models import Outbox
from helpline.tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.slow, needs_corpus]


def robots() -> list[tuple[str, bytes]]:
    assert ROOT is not None
    out: list[tuple[str, bytes]] = []
    base = ROOT / "sisimai-set-of-emails"
    for path in sorted(p for p in base.rglob("*") if p.is_file() and p.name != "LICENSE"):
        relative = str(path.relative_to(base))
        if relative in SISIMAI_HUMAN or relative in SISIMAI_NOT_MESSAGES:
            continue
        if relative.startswith("mailbox/mbox"):
            continue
        out.append((relative, path.read_bytes()))
    for relative in MBOXES:
        for index, raw in enumerate(mbox_messages(relative)):
            if f"{relative}#{index}" not in SISIMAI_HUMAN_IN_MBOX:
                out.append((f"{relative}#{index}", raw))
    for folder in ("bounce", "complaints"):
        out += [(str(p), p.read_bytes()) for p in sorted((ROOT / "flanker" / folder).glob("*"))]
    out += [(n, (ROOT / "mimekit/messages" / n).read_bytes()) for n in MIMEKIT_ROBOTS]
    return out


def test_robots_open_no_ticket_and_send_nothing(cast):
    items = robots()
    assert len(items) > 650
    outcomes = {name: mail_ingest(raw, source="cli", name=name[:500]) for name, raw in items}
    not_ignored = {n: str(r) for n, r in outcomes.items() if r.outcome != Outcome.IGNORED}
    assert not_ignored == {}
    assert Ticket.objects.count() == 0 and Outbox.objects.count() == 0


def test_every_corpus_file_goes_through_without_an_exception(cast):
    assert ROOT is not None
    paths = [p for p in ROOT.rglob("*") if p.is_file() and p.name not in ("LICENSE", "README.md")]
    seen = 0
    for path in sorted(paths):
        result = mail_ingest(path.read_bytes(), source="cli", name=str(path)[-500:])
        assert result.outcome in set(Outcome.values), path
        seen += 1
    assert seen > 900
    # Every received message has its record, with its reason when it is not a ticket or reply.
    unexplained = InboundMail.objects.filter(
        status__in=[Outcome.QUARANTINED, Outcome.IGNORED], reason=""
    )
    assert not unexplained.exists()


def test_django_helpdesk_mail_from_contacts_become_readable_tickets(cast):
    assert ROOT is not None
    paths = sorted((ROOT / "django-helpdesk").glob("*.eml"))
    for path in paths:
        sender = parse(path.read_bytes()).from_address
        if sender and not cast.acme.contacts.filter(email=sender).exists():
            merchants.contact_create(merchant=cast.acme, email=sender)
    for path in paths:
        result = mail_ingest(path.read_bytes(), source="cli", name=path.name)
        assert result.outcome in ("ticket", "reply", "ignored"), (path.name, str(result))
        if result.outcome == "ticket":
            ticket = Ticket.objects.get(pk=int(result.reference[3:]))
            assert ticket.description.strip() and "\ufffd" * 3 not in ticket.description
    assert Ticket.objects.count() >= len(paths) - 1
