"""Everyone's own notification preferences through the API (GET/PUT /me/notification-preferences),
and what they change in the outbox."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest

from helpline.conftest import T0, Cast
from helpline.outbox.models import Outbox, Preference
from helpline.tickets import services as tickets

pytestmark = pytest.mark.django_db
PATH = "me/notification-preferences"
GOOD = {
    "email": True,
    "whatsapp": True,
    "muted": ["status", "priority"],
    "whatsapp_muted": ["quote", "due_date"],
    "quiet_start": "22:00",
    "quiet_end": "07:30",
    "digest": False,
    "digest_at": "08:00",
    "whatsapp_number": "+91 98000-00001",
}


def _put(cast: Cast, who: str, body: dict[str, Any]) -> Any:
    return cast.api(who).call("PUT", PATH, body)


@pytest.mark.parametrize("who", ["alice", "ravi", "maya", "eric", "ada"])
def test_every_signed_in_person_reads_and_sets_their_own(cast: Cast, who: str) -> None:
    api = cast.api(who)
    before = api.get(PATH)
    assert before.status_code == 200
    assert before.json_body["email"] is True and before.json_body["muted"] == []
    assert "sla_breached" in before.json_body["event_kinds"]
    response = _put(cast, who, GOOD)
    assert response.status_code == 200, response.content
    body = response.json_body
    assert body["muted"] == ["status", "priority"]
    assert body["whatsapp_muted"] == ["due_date", "quote"]  # in the order of EVENT_KINDS
    assert (body["quiet_start"], body["quiet_end"], body["digest_at"]) == (
        "22:00",
        "07:30",
        "08:00",
    )
    assert body["whatsapp_number"] == "+919800000001"  # E.164, spaces and dashes gone
    user = getattr(cast, who)
    user.refresh_from_db()
    assert user.whatsapp == "+919800000001"
    pref = Preference.objects.get(user=user)
    assert (pref.quiet_start, pref.quiet_end, pref.digest_at) == (
        time(22, 0),
        time(7, 30),
        time(8, 0),
    )
    assert api.get(PATH).json_body == body
    # Someone else's stay as they were.
    assert not Preference.objects.exclude(user=user).exists()


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"quiet_start": "25:00"}, "validation_error", "quiet_start"),
        ({"quiet_start": "ten pm"}, "validation_error", "quiet_start"),
        ({"digest_at": "9"}, "validation_error", "digest_at"),
        ({"digest_at": "09:00:00+05:30"}, "validation_error", "digest_at"),
        ({"muted": ["status", "gossip"]}, "unknown_event", "'gossip'"),
        ({"whatsapp_muted": ["rumour"]}, "unknown_event", "'rumour'"),
        ({"quiet_end": None}, "invalid_quiet_hours", "both a start and an end"),
        ({"quiet_end": "22:00"}, "invalid_quiet_hours", "same time"),
        ({"whatsapp_number": "98000 00001"}, "invalid_whatsapp", "country code"),
        ({"whatsapp_number": "+91 phone"}, "invalid_whatsapp", "country code"),
        ({"email": "sometimes"}, "validation_error", "email"),
    ],
)
def test_bad_input_is_a_clear_422_and_nothing_is_saved(
    cast: Cast, change: dict[str, Any], code: str, words: str
) -> None:
    assert _put(cast, "alice", {**GOOD, "muted": ["quote"]}).status_code == 200
    response = _put(cast, "alice", {**GOOD, "whatsapp_number": "+4915112345678", **change})
    assert response.status_code == 422, response.content
    assert response.json_body["code"] == code
    assert words in response.json_body["detail"]
    pref = Preference.objects.get(user=cast.alice)
    assert pref.muted == ["quote"]  # the earlier choice, untouched
    cast.alice.refresh_from_db()
    assert cast.alice.whatsapp == "+919800000001"


def test_without_a_token_it_is_401(cast: Cast) -> None:
    from helpline.conftest import Api

    assert Api(None).get(PATH).status_code == 401


def test_the_choices_shape_what_goes_out(cast: Cast) -> None:
    # Alice mutes nothing but keeps quiet hours over the filing time (T0 is 10:30 IST): her
    # acknowledgement waits for their end; a C1 ignores them.
    quiet = {**GOOD, "muted": [], "quiet_start": "10:00", "quiet_end": "11:00"}
    assert _put(cast, "alice", quiet).status_code == 200
    c3 = tickets.ticket_create(
        actor=cast.alice,
        store=cast.acme_outlet,
        subject="Banner misaligned",
        description="On mobile.",
        issue_type="functionality",
        now=T0,
    )
    ack = Outbox.objects.get(ticket_id=c3.pk, recipient_user=cast.alice, channel="email")
    assert ack.due_at == T0 + timedelta(minutes=30)  # 11:00 IST
    c1 = tickets.ticket_create(
        actor=cast.alice,
        store=cast.acme_outlet,
        subject="Store down",
        description="Nobody can reach it.",
        issue_type="store-down",
        now=T0,
    )
    ack = Outbox.objects.get(ticket_id=c1.pk, recipient_user=cast.alice, channel="email")
    assert ack.due_at == T0
    # Muting "created" silences the C3 acknowledgement, never the C1's.
    assert _put(cast, "alice", {**GOOD, "muted": ["created"]}).status_code == 200
    c3b = tickets.ticket_create(
        actor=cast.alice,
        store=cast.acme_outlet,
        subject="Footer typo",
        description="Small.",
        issue_type="functionality",
        now=T0,
    )
    assert not Outbox.objects.filter(ticket_id=c3b.pk, recipient_user=cast.alice).exists()
