"""Preferences per person: channels, mutes, quiet hours (C1 ignores them), the daily digest."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpline.outbox.models import Outbox, Preference, State
from helpline.outbox.tests.servers import SmtpSink
from helpline.tickets import services as tickets
from helpline.worker import run_once

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
EVENING = datetime(2026, 12, 7, 21, 0, tzinfo=IST)  # Monday 21:00


def mails_to(address: str) -> list[Outbox]:
    return list(Outbox.objects.filter(recipient=address).order_by("pk"))


def test_quiet_hours_delay_but_a_c1_comes_at_once(cast) -> None:
    Preference.objects.create(user=cast.alice, quiet_start=time(20), quiet_end=time(8))
    cast.ticket(description="404", at=EVENING, priority="C3")
    (ack,) = mails_to("alice@acme.test")
    assert ack.due_at == datetime(2026, 12, 8, 8, 0, tzinfo=IST)  # the end of her night
    Outbox.objects.all().delete()
    cast.ticket(description="404", at=EVENING, priority="C1")
    (ack,) = mails_to("alice@acme.test")
    assert ack.due_at == EVENING


def test_muted_events_and_channels_switched_off(cast) -> None:
    Preference.objects.create(user=cast.alice, muted=["created"])
    cast.ticket(description="404", at=EVENING, priority="C3")
    assert mails_to("alice@acme.test") == []
    Preference.objects.filter(user=cast.alice).update(muted=[], email=False)
    cast.ticket(description="404", at=EVENING, priority="C3")
    assert mails_to("alice@acme.test") == []


def test_the_digest_replaces_single_mails_with_one_a_day(cast, smtp: SmtpSink) -> None:
    Preference.objects.create(user=cast.alice, digest=True, digest_at=time(9))
    for hour in (0, 1, 2):
        cast.ticket(description="404", at=EVENING + timedelta(hours=hour), priority="C3")
    rows = mails_to("alice@acme.test")
    assert {r.channel for r in rows} == {"digest"}
    assert {r.due_at for r in rows} == {datetime(2026, 12, 8, 9, 0, tzinfo=IST)}
    run_once(now=datetime(2026, 12, 8, 8, 59, tzinfo=IST))
    # (The admins' notices that nobody could be assigned — no routing here — go at once.)
    to_alice = lambda: [m for m in smtp.messages if "alice@acme.test" in m["To"]]  # noqa: E731
    assert to_alice() == []
    run_once(now=datetime(2026, 12, 8, 9, 0, tzinfo=IST))
    (digest,) = to_alice()
    assert digest["Subject"] == "Helpline digest: 3 update(s)"
    assert digest.get_content().count("• [HL-") == 3
    assert {r.state for r in mails_to("alice@acme.test")} == {State.DONE}


def test_whatsapp_can_be_switched_off_per_event_kind_but_not_for_a_c1(cast) -> None:
    """ "Which events on which channel": a resolution reaches Alice by mail and WhatsApp; with
    "resolved" muted on WhatsApp only, by mail alone; a C1 still comes on both."""
    cast.alice.whatsapp = "+919800000002"
    cast.alice.save(update_fields=["whatsapp"])

    def resolve(priority: str) -> set[str]:
        ticket = cast.ticket(description="404", at=EVENING, priority=priority)
        Outbox.objects.all().delete()
        tickets.ticket_resolve(
            actor=cast.ravi,
            ticket=ticket,
            message="Fixed",
            now=EVENING + timedelta(minutes=5),
        )
        rows = Outbox.objects.filter(recipient_user_id=cast.alice.pk)
        return {row.channel for row in rows}

    assert resolve("C3") == {"email", "whatsapp"}
    Preference.objects.create(user=cast.alice, whatsapp_muted=["resolved"])
    assert resolve("C3") == {"email"}
    assert resolve("C1") == {"email", "whatsapp"}
    Preference.objects.filter(user=cast.alice).update(whatsapp_muted=["status"])
    assert resolve("C3") == {"email", "whatsapp"}
