"""WhatsApp: the survey goes out as an interactive list inside the customer's window and as the
template's quick-reply buttons outside it; a reply (either form) answers the survey it names —
an older resolution's included — and one after the survey closed is refused politely."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from helpline.conftest import Cast
from helpline.csat.models import Answer, Channel, Survey
from helpline.csat.tests.conftest import ALICE_WA, RESOLVED, resolve
from helpline.notifications.tests.test_whatsapp_inbound import SECRET, VERIFY, payload, post
from helpline.outbox.channels.whatsapp import request_body
from helpline.outbox.models import Outbox, WhatsAppInbound
from helpline.tickets import services as tickets

pytestmark = pytest.mark.django_db
ALICE = ALICE_WA.lstrip("+")


@pytest.fixture(autouse=True)
def _meta_settings() -> Iterator[None]:
    with override_settings(WHATSAPP_APP_SECRET=SECRET, WHATSAPP_VERIFY_TOKEN=VERIFY):
        yield


def quick_reply(wamid: str, reply: str, at: Any, sender: str = ALICE) -> dict[str, Any]:
    """A template's quick-reply button, as Meta posts it (type "button")."""
    return {
        "from": sender,
        "id": wamid,
        "timestamp": str(int(at.timestamp())),
        "type": "button",
        "button": {"payload": reply, "text": "1 — Very dissatisfied"},
    }


def list_reply(wamid: str, reply: str, at: Any) -> dict[str, Any]:
    """An interactive list row chosen, as Meta posts it (type "interactive")."""
    return {
        "from": ALICE,
        "id": wamid,
        "timestamp": str(int(at.timestamp())),
        "type": "interactive",
        "interactive": {"type": "list_reply", "list_reply": {"id": reply, "title": "4"}},
    }


def sent(survey: Survey, *, window: bool) -> dict[str, Any]:
    row = Outbox.objects.get(kind="csat_survey", channel="whatsapp", ticket_id=survey.ticket_id)
    return request_body(row, free_text=window)  # the outbox row is the channel's message


def test_the_survey_is_a_list_inside_the_window_and_quick_replies_outside(
    resolved: Any,
) -> None:
    survey = Survey.objects.get()
    inside = sent(survey, window=True)
    assert inside["type"] == "interactive" and inside["interactive"]["type"] == "list"
    rows = inside["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [f"csat:{survey.pk}:{s}" for s in (5, 4, 3, 2, 1)]
    outside = sent(survey, window=False)
    assert outside["template"]["name"] == "helpline_csat"
    buttons = [c for c in outside["template"]["components"] if c["type"] == "button"]
    assert [b["parameters"][0]["payload"] for b in buttons] == [r["id"] for r in rows]


def test_a_button_reply_records_the_answer_and_a_list_reply_changes_it(
    cast: Cast, resolved: Any, time_machine: Any
) -> None:
    survey = Survey.objects.get()
    time_machine.move_to(RESOLVED + timedelta(hours=1), tick=False)
    answer = post(payload(quick_reply("wamid.A1", f"csat:{survey.pk}:1", RESOLVED)))
    assert answer.status_code == 200, answer.content
    assert (Answer.objects.get().score, Answer.objects.get().channel) == (1, Channel.WHATSAPP)
    row = WhatsAppInbound.objects.get()
    assert (row.outcome, row.ticket_id) == ("answer", resolved.pk)
    post(payload(list_reply("wamid.A2", f"csat:{survey.pk}:4", RESOLVED)))
    post(payload(list_reply("wamid.A2", f"csat:{survey.pk}:4", RESOLVED)))  # Meta repeats it
    (answer_row,) = Answer.objects.all()
    assert (answer_row.score, answer_row.changes) == (4, 1)
    assert Outbox.objects.filter(kind="csat_reply", recipient=ALICE_WA).count() == 2


def test_a_reply_to_an_older_resolutions_survey_answers_that_one(
    cast: Cast, resolved: Any, time_machine: Any
) -> None:
    first = Survey.objects.get()
    reopened = tickets.ticket_reopen(
        actor=cast.alice, ticket=resolved, now=RESOLVED + timedelta(hours=1)
    )
    resolve(cast, reopened, at=RESOLVED + timedelta(days=1))
    second = Survey.objects.exclude(pk=first.pk).get()
    time_machine.move_to(RESOLVED + timedelta(days=2), tick=False)
    post(payload(quick_reply("wamid.OLD", f"csat:{first.pk}:5", RESOLVED)))
    assert Answer.objects.get().survey_id == first.pk
    assert not Answer.objects.filter(survey=second).exists()


def test_a_reply_after_the_survey_closed_is_refused_politely(
    cast: Cast, resolved: Any, time_machine: Any
) -> None:
    survey = Survey.objects.get()
    time_machine.move_to(RESOLVED + timedelta(days=8), tick=False)
    post(payload(quick_reply("wamid.LATE", f"csat:{survey.pk}:2", RESOLVED + timedelta(days=8))))
    assert not Answer.objects.exists()
    row = WhatsAppInbound.objects.get()
    assert row.outcome == "ignored" and "closed" in row.reason
    told = Outbox.objects.get(kind="csat_reply")
    assert "closed" in told.payload["text"] and told.recipient == ALICE_WA


@pytest.mark.parametrize(
    "reply", ["csat:abc:1", "csat:999999:5", "csat:{pk}:9", "csat:{pk}:0", "csat:"]
)
def test_a_reply_we_cannot_match_is_recorded_with_the_reason(
    cast: Cast, resolved: Any, time_machine: Any, reply: str
) -> None:
    survey = Survey.objects.get()
    time_machine.move_to(RESOLVED + timedelta(hours=1), tick=False)
    response = post(payload(quick_reply("wamid.BAD", reply.format(pk=survey.pk), RESOLVED)))
    assert response.status_code == 200
    assert not Answer.objects.exists()
    row = WhatsAppInbound.objects.get()
    assert row.outcome == "ignored" and row.reason


def test_a_reply_from_another_number_is_not_an_answer(
    cast: Cast, resolved: Any, time_machine: Any
) -> None:
    survey = Survey.objects.get()
    time_machine.move_to(RESOLVED + timedelta(hours=1), tick=False)
    post(payload(quick_reply("wamid.X", f"csat:{survey.pk}:1", RESOLVED, sender="919800000099")))
    assert not Answer.objects.exists()
    assert "no survey" in WhatsAppInbound.objects.get().reason
