"""A forged mail never posts as a contact (issue 21, item 1; decision 0168).

Mails are signed in the test with its own keys (RSA and ed25519, dkimpy), the keys and DMARC
policies published on a real DNS server on loopback (``dns``); forged, replayed and relayed
copies are made from them. Authentication-Results count only from the authserv-ids named in
``MAIL_AUTHSERV_IDS`` (the tests' MTA is ``mx.helpline.test``).
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from helpline.mail import senderauth
from helpline.mail.models import InboundMail
from helpline.mail.parse import parse
from helpline.mail.services import mail_ingest
from helpline.mail.tests.pipeline.mails import mail, reply_to
from helpline.mail.tests.signing import ed25519_key, publish, rsa_key, sign
from helpline.mail.tests.test_corpus import ROOT, needs_corpus
from helpline.outbox.models import Outbox
from helpline.tickets.models import REFERENCE_PREFIX, Ticket, TicketEvent, TicketMessage

pytestmark = pytest.mark.django_db
OPEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # Wed 10:30 IST
FORGED_AR = "spf=fail smtp.mailfrom=alice@acme.test; dmarc=fail header.from=acme.test"


def ticket_of(reference: str) -> Ticket:
    return Ticket.objects.get(pk=int(reference.removeprefix(REFERENCE_PREFIX)))


def unsigned(**kw) -> bytes:
    """A mail as it reaches us with no trusted verdict on it."""
    return mail(authenticated=False, **kw)


def verdict(raw: bytes, domain: str = "acme.test") -> senderauth.Verdict:
    return senderauth.check(raw, domain)


# ---------------------------------------------------------------- the verdict


@pytest.mark.parametrize("key", [rsa_key, ed25519_key], ids=["rsa", "ed25519"])
def test_a_signed_mail_passes_and_any_change_to_it_fails(dns, key):
    publish(dns, "acme.test", key())
    signed = sign(unsigned(), "acme.test", key())
    assert verdict(signed).result == "pass"
    replayed_subject = signed.replace(b"Subject: Checkout button", b"Subject: Refund me now")
    replayed_from = signed.replace(b"From: alice@acme.test", b"From: ceo@acme.test")
    relayed = signed + b"\n-- \nacme-ops mailing list: unsubscribe at https://lists.test\n"
    for changed in (replayed_subject, replayed_from, relayed):
        assert changed != signed
        said = verdict(changed)
        assert said.result == "fail" and "d=acme.test does not verify" in said.detail


def test_a_signature_with_a_body_length_is_not_counted(dns):
    # l= lets anyone append to the body (a list footer, or an attacker's "new bank details").
    publish(dns, "acme.test", rsa_key())
    relayed = sign(unsigned(), "acme.test", rsa_key(), length=True) + b"\nPay to IBAN XX00\n"
    said = verdict(relayed)
    assert said.result == "none" and "signs only part of the body (l=)" in said.detail
    dns.add("_dmarc.acme.test", "v=DMARC1; p=quarantine")
    assert verdict(relayed).result == "fail"


def test_alignment_relaxed_by_default_strict_when_the_domain_says_so(dns):
    publish(dns, "mail.acme.test", rsa_key())
    signed = sign(unsigned(), "mail.acme.test", rsa_key())
    assert verdict(signed).result == "pass"  # same organisational domain
    dns.add("_dmarc.acme.test", "v=DMARC1; p=reject; adkim=s")
    said = verdict(signed)
    assert said.result == "fail" and "publishes DMARC" in said.detail


def test_someone_elses_valid_signature_proves_nothing(dns):
    # The attacker signs with their own domain and writes the merchant's address in From.
    publish(dns, "attacker.test", ed25519_key())
    forged = sign(unsigned(), "attacker.test", ed25519_key())
    assert verdict(forged).result == "none"
    dns.add("_dmarc.acme.test", "v=DMARC1; p=none")
    assert verdict(forged).result == "fail"


def test_a_signature_whose_key_is_missing_fails(dns):
    said = verdict(sign(unsigned(), "acme.test", rsa_key()))
    assert said.result == "fail"


def test_authentication_results_count_only_from_a_trusted_host_and_the_topmost(dns):
    plain = unsigned()
    ours_fail = b"Authentication-Results: mx.helpline.test; dmarc=fail header.from=acme.test\n"
    ours_pass = b"Authentication-Results: mx.helpline.test; dmarc=pass header.from=acme.test\n"
    theirs = b"Authentication-Results: mx.attacker.test; dmarc=pass header.from=acme.test\n"
    bare = b"Authentication-Results: spf=pass; dmarc=pass\n"  # no authserv-id at all
    assert verdict(theirs + plain).result == "none"
    assert verdict(bare + plain).result == "none"
    assert verdict(ours_pass + plain).result == "pass"
    assert verdict(ours_fail + plain).result == "fail"
    # A forged copy of our header below the real one (our MTA adds its own on top).
    assert verdict(ours_fail + ours_pass + plain).result == "fail"
    aligned_dkim = b"Authentication-Results: mx.helpline.test; dkim=pass header.i=@acme.test\n"
    other_dkim = b"Authentication-Results: mx.helpline.test; dkim=pass header.d=evil.test\n"
    spf_fail = b"Authentication-Results: mx.helpline.test; spf=fail smtp.mailfrom=a@acme.test\n"
    assert verdict(aligned_dkim + plain).result == "pass"
    assert verdict(other_dkim + plain).result == "none"
    assert verdict(spf_fail + plain).result == "fail"
    with override_settings(MAIL_AUTHSERV_IDS=()):
        assert verdict(ours_pass + plain).result == "none"


def test_a_dns_failure_is_a_temporary_error_not_a_pass(dns):
    dns.failing.add("s1._domainkey.acme.test")
    said = verdict(sign(unsigned(), "acme.test", rsa_key()))
    assert said.result == "temperror"
    assert not senderauth.verified(said, "require") and not senderauth.verified(said, "dmarc")


def test_modes(dns):
    none = senderauth.Verdict("none", "")
    fail = senderauth.Verdict("fail", "")
    passed = senderauth.Verdict("pass", "")
    assert [senderauth.verified(v, "require") for v in (none, fail, passed)] == [0, 0, 1]
    assert [senderauth.verified(v, "dmarc") for v in (none, fail, passed)] == [1, 0, 1]
    assert [senderauth.verified(v, "off") for v in (none, fail, passed)] == [1, 1, 1]


# ---------------------------------------------------------------- through mail_ingest


def test_the_forged_reply_of_the_issue_never_posts_as_the_contact(cast, dns):
    """Issue 21: a mail forged as Alice, carrying `spf=fail; dmarc=fail`, became her reply."""
    mail_ingest(mail(), source="cli", now=OPEN)
    alices = Ticket.objects.get()
    forged = unsigned(
        subject=f"Re: [{alices.reference}] C1 refund everything",
        body="Please refund all orders to account XX00.",
        headers={"Authentication-Results": FORGED_AR},
    )
    result = mail_ingest(forged, source="cli", now=OPEN + timedelta(minutes=5))
    assert result.outcome == "ticket" and result.reference != alices.reference
    assert not TicketMessage.objects.filter(ticket=alices).exists()
    made = ticket_of(result.reference)
    # A triage item on Alice's store, flagged for staff, nobody's, never above C3.
    assert made.unverified_sender and made.requester_id is None
    assert (made.store_id, made.priority) == (alices.store_id, "C3")
    flag = TicketEvent.objects.get(ticket=made, kind="unverified_sender")
    assert "sender not verified (none: not signed" in flag.reason and not flag.public
    row = InboundMail.objects.get(ticket=made)
    assert (row.sender_auth, row.status) == ("none", "ticket")
    asks = TicketEvent.objects.get(ticket=made, kind="merchant_asks_priority")
    assert (asks.after or {}).get("asked") == "C1"


def test_with_quarantine_the_forged_mail_is_quarantined_with_the_verdict(cast, dns):
    dns.add("_dmarc.acme.test", "v=DMARC1; p=reject")
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine"):
        result = mail_ingest(unsigned(subject="C2 payouts"), source="cli", now=OPEN)
    assert result.outcome == "quarantined"
    assert result.reason.startswith("sender not verified (fail: acme.test publishes DMARC")
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("key", [rsa_key, ed25519_key], ids=["rsa", "ed25519"])
def test_a_signed_mail_from_a_contact_posts_as_them(cast, dns, key):
    publish(dns, "acme.test", key())
    dns.add("_dmarc.acme.test", "v=DMARC1; p=reject")
    result = mail_ingest(
        sign(unsigned(subject="C2 refunds fail"), "acme.test", key()), source="cli"
    )
    ticket = ticket_of(result.reference)
    assert (ticket.requester_id, ticket.unverified_sender, ticket.priority) == (
        cast.alice.pk,
        False,
        "C2",
    )
    assert InboundMail.objects.get().sender_auth == "pass"
    # The same mail replayed with a new subject (a new Message-ID too) is a stranger's.
    replayed = sign(unsigned(subject="Old"), "acme.test", key())
    replayed = replayed.replace(b"Subject: Old", f"Subject: Re: [{ticket.reference}] C1".encode())
    again = mail_ingest(replayed, source="cli", now=OPEN)
    assert again.reference != ticket.reference
    assert not TicketMessage.objects.filter(ticket=ticket).exists()
    assert ticket_of(again.reference).priority == "C3"


def test_a_forged_reply_quoting_our_message_id_is_flagged_and_nobodys(cast, dns):
    mail_ingest(mail(), source="cli", now=OPEN)
    ticket = Ticket.objects.get()
    ack = Outbox.objects.get(kind="mail_ack").payload
    ours = mail(subject=ack["subject"], message_id=ack["message_id"], sender="support@x.test")
    original = email.message_from_bytes(ours, policy=email.policy.default)
    forged = reply_to(original, sender="alice@acme.test", body="Close it.", authenticated=False)
    result = mail_ingest(forged, source="cli", now=OPEN + timedelta(minutes=5))
    assert result.outcome == "reply" and result.reference == ticket.reference
    message = TicketMessage.objects.get(ticket=ticket)
    assert message.author_id is None  # never Alice
    flag = TicketEvent.objects.get(ticket=ticket, kind="unverified_sender")
    assert flag.reason.startswith("sender not verified (none:")
    # Where unknown senders are quarantined, so is the unproven contact's reply.
    again = reply_to(original, sender="alice@acme.test", body="Now!", authenticated=False)
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine"):
        result = mail_ingest(again, source="cli", now=OPEN + timedelta(minutes=6))
    assert result.outcome == "quarantined" and result.reason.startswith("sender not verified")
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_dmarc_mode_refuses_only_a_failure(cast, dns):
    with override_settings(MAIL_SENDER_AUTH="dmarc"):
        first = mail_ingest(unsigned(), source="cli", now=OPEN)
        assert ticket_of(first.reference).requester_id == cast.alice.pk
        dns.add("_dmarc.acme.test", "v=DMARC1; p=none")
        second = mail_ingest(unsigned(subject="again"), source="cli", now=OPEN)
        assert ticket_of(second.reference).unverified_sender


def test_off_trusts_the_from_header_and_looks_nothing_up(cast, dns):
    with override_settings(MAIL_SENDER_AUTH="off"):
        result = mail_ingest(unsigned(), source="cli", now=OPEN)
    assert ticket_of(result.reference).requester_id == cast.alice.pk
    assert InboundMail.objects.get().sender_auth == "" and dns.queries == []


def test_a_strangers_mail_is_not_looked_up(cast, dns):
    mail_ingest(unsigned(sender="someone@bolt.test"), source="cli", now=OPEN)
    assert dns.queries == [] and InboundMail.objects.get().sender_auth == ""


# ---------------------------------------------------------------- the shared corpus


@pytest.mark.slow
@needs_corpus
def test_every_corpus_mail_gets_a_verdict_and_none_passes_without_keys(dns):
    """Real mail (signed ones, broken signatures, odd headers): never raises; with no keys
    published nothing passes, whatever Authentication-Results it carries from its own hosts."""
    assert ROOT is not None
    seen = signed = 0
    for path in sorted(p for p in ROOT.rglob("*") if p.is_file() and p.name != "LICENSE"):
        raw = path.read_bytes()
        parsed = parse(raw)
        domain = parsed.from_address.rsplit("@", 1)[-1] if "@" in parsed.from_address else ""
        said = senderauth.check(raw, domain)
        assert said.result in ("none", "fail", "temperror"), (path, said)
        seen += 1
        signed += b"DKIM-Signature:" in raw
    assert seen > 900 and signed > 100


def test_staff_see_the_flag_and_the_verdict_merchants_do_not(cast, dns):
    from django.test import Client

    result = mail_ingest(unsigned(subject="Payouts"), source="cli", now=OPEN)
    ticket = ticket_of(result.reference)
    pages = {}
    for user, path in ((cast.ravi, "console/t"), (cast.alice, "support/t")):
        client = Client()
        client.force_login(user)
        pages[user.email] = client.get(f"/{path}/{ticket.pk}/").content.decode()
    staff, merchant = pages[cast.ravi.email], pages[cast.alice.email]
    assert "Unverified sender" in staff and "sender check none: not signed" in staff
    assert "Unverified sender" not in merchant and "sender check" not in merchant


def test_staff_making_a_ticket_of_the_quarantined_forgery_do_not_make_it_the_contacts(cast, dns):
    from helpline.mail.quarantine import quarantine_to_ticket

    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine"):
        result = mail_ingest(unsigned(subject="C1 down"), source="cli", now=OPEN)
    ticket = quarantine_to_ticket(inbound_id=result.inbound_id or 0, actor=cast.ravi, now=OPEN)
    assert ticket.unverified_sender and ticket.requester_id is None
    assert (ticket.store_id, ticket.priority) == (cast.acme_shoes.pk, "C3")
    assert TicketEvent.objects.filter(ticket=ticket, kind="unverified_sender").exists()


def test_the_api_tells_staff_the_flag_and_the_quarantines_verdict(cast, dns):
    result = mail_ingest(unsigned(subject="Payouts"), source="cli", now=OPEN)
    ticket = ticket_of(result.reference)
    staff = cast.api("ravi").get(f"tickets/{ticket.pk}").json_body
    merchant = cast.api("alice").get(f"tickets/{ticket.pk}").json_body
    assert staff["unverified_sender"] is True and merchant["unverified_sender"] is None
    dns.add("_dmarc.acme.test", "v=DMARC1; p=reject")
    with override_settings(MAIL_UNKNOWN_SENDERS="quarantine"):
        mail_ingest(unsigned(subject="Refund"), source="cli", now=OPEN)
    (row,) = cast.api("ada").get("mail/quarantine").json_body
    assert row["sender_auth"] == "fail" and "publishes DMARC" in row["sender_auth_detail"]
