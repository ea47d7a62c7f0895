"""``Idempotency-Key`` on ticket and message creation (decision 0086): a retry gets the first
answer again and creates nothing; a key reused for another request, a bad key and a failed
request are each answered clearly, with nothing lost and nothing doubled."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from helpline.accounts.models import RequestKey
from helpline.conftest import T0, Cast, wait_until_a_session_waits_on_a_lock
from helpline.outbox.models import Outbox
from helpline.tickets.models import Ticket, TicketEvent, TicketMessage
from helpline.web.tests.browser import policy  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

NOW = T0 + timedelta(days=1, hours=1)
TICKET = {
    "store": 0,
    "subject": "Checkout fails",
    "description": "Cards are declined.",
    "issue_type": "feature-broken",
}


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _body(cast: Cast, **changes: Any) -> dict[str, Any]:
    return {**TICKET, "store": cast.acme_shoes.pk, **changes}


def _counts() -> tuple[int, int, int, int]:
    return (
        Ticket.objects.count(),
        TicketMessage.objects.count(),
        TicketEvent.objects.count(),
        Outbox.objects.count(),
    )


def test_a_retried_creation_answers_as_the_first_and_creates_nothing(cast: Cast) -> None:
    api = cast.api("alice")
    key = {"Idempotency-Key": "order-4711-checkout"}
    first = api.post("tickets", _body(cast), headers=key)
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    after_first = _counts()
    assert after_first[0] == 1 and after_first[3] > 0  # the acknowledgement is queued

    again = api.post("tickets", _body(cast), headers=key)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content  # byte for byte
    assert again["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    assert _counts() == after_first  # no ticket, message, event or notification more

    # The answer is the endpoint's own: the same fields as a creation without a key.
    plain = api.post("tickets", _body(cast, subject="Another"))
    assert set(plain.json_body) == set(first.json_body)
    assert Ticket.objects.count() == 2


def test_key_order_and_spacing_do_not_make_another_request(cast: Cast) -> None:
    api = cast.api("alice")
    key = {"Idempotency-Key": "k-1"}
    first = api.post("tickets", _body(cast), headers=key)
    reordered = json.dumps(dict(reversed(list(_body(cast).items()))), indent=2)
    again = api.client.post(
        "/api/v1/tickets",
        data=reordered,
        content_type="application/json",
        headers=key,
        HTTP_AUTHORIZATION=f"Bearer {cast.tokens['alice']}",
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert Ticket.objects.count() == 1


def test_the_same_key_for_another_request_is_refused_and_nothing_is_created(cast: Cast) -> None:
    api = cast.api("alice")
    key = {"Idempotency-Key": "k-2"}
    first = api.post("tickets", _body(cast), headers=key)
    before = _counts()
    other = api.post("tickets", _body(cast, subject="Something else"), headers=key)
    assert other.status_code == 422
    assert other.json_body["code"] == "idempotency_key_reused"
    assert "different request" in other.json_body["detail"]
    # Another endpoint with the key is another request too.
    ticket_id = first.json_body["id"]
    reply = api.post(f"tickets/{ticket_id}/messages", {"body": "More"}, headers=key)
    assert reply.status_code == 422 and reply.json_body["code"] == "idempotency_key_reused"
    assert _counts() == before
    # The key still answers its own request.
    assert api.post("tickets", _body(cast), headers=key).content == first.content


def test_keys_are_each_users_own(cast: Cast) -> None:
    key = {"Idempotency-Key": "shared-looking-key"}
    alice = cast.api("alice").post("tickets", _body(cast), headers=key)
    bob = cast.api("bob").post("tickets", _body(cast, store=cast.bolt_gadgets.pk), headers=key)
    assert alice.status_code == bob.status_code == 201
    assert "Idempotent-Replayed" not in bob
    assert alice.json_body["id"] != bob.json_body["id"]
    assert Ticket.objects.count() == 2


def test_a_failed_request_records_nothing_and_its_retry_runs(cast: Cast) -> None:
    api = cast.api("alice")
    key = {"Idempotency-Key": "k-3"}
    # Bob's store: not Alice's to see (404); the key must not remember that answer.
    refused = api.post("tickets", _body(cast, store=cast.bolt_gadgets.pk), headers=key)
    assert refused.status_code == 404
    bad = api.post("tickets", _body(cast, issue_type="no-such-type"), headers=key)
    assert bad.status_code == 422 and bad.json_body["code"] != "idempotency_key_reused"
    assert RequestKey.objects.count() == 0 and Ticket.objects.count() == 0
    done = api.post("tickets", _body(cast), headers=key)
    assert done.status_code == 201 and "Idempotent-Replayed" not in done
    assert RequestKey.objects.count() == 1


def test_a_key_is_kept_a_day_then_forgotten(cast: Cast, time_machine: Any) -> None:
    from helpline import worker

    api = cast.api("alice")
    key = {"Idempotency-Key": "k-4"}
    first = api.post("tickets", _body(cast), headers=key)
    time_machine.move_to(NOW + timedelta(hours=23, minutes=59), tick=False)
    assert api.post("tickets", _body(cast), headers=key)["Idempotent-Replayed"] == "true"
    worker.run_once(now=NOW + timedelta(hours=23, minutes=59))
    assert RequestKey.objects.count() == 1
    time_machine.move_to(NOW + timedelta(hours=24), tick=False)
    later = api.post("tickets", _body(cast), headers=key)
    assert later.status_code == 201 and "Idempotent-Replayed" not in later
    assert later.json_body["id"] != first.json_body["id"]
    # The worker forgets keys older than a day.
    worker.run_once(now=NOW + timedelta(hours=48, seconds=1))
    assert RequestKey.objects.count() == 0


@pytest.mark.parametrize("bad", ["", "  ", "a" * 256, "two words", "caf\u00e9"])
def test_a_bad_key_is_refused_clearly_and_nothing_is_created(cast: Cast, bad: str) -> None:
    api = cast.api("alice")
    response = api.post("tickets", _body(cast), headers={"Idempotency-Key": bad})
    assert response.status_code == 422
    assert response.json_body["code"] == "invalid_idempotency_key"
    assert "Idempotency-Key" in response.json_body["detail"]
    assert _counts() == (0, 0, 0, 0) and RequestKey.objects.count() == 0


def test_a_retried_reply_is_posted_once(cast: Cast) -> None:
    ticket_id = cast.api("alice").post("tickets", _body(cast)).json_body["id"]
    ravi = cast.api("ravi")
    key = {"Idempotency-Key": "reply-1"}
    first = ravi.post(f"tickets/{ticket_id}/messages", {"body": "Looking now."}, headers=key)
    assert first.status_code == 201
    before = _counts()
    again = ravi.post(f"tickets/{ticket_id}/messages", {"body": "Looking now."}, headers=key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert _counts() == before
    bodies = [m["body"] for m in ravi.get(f"tickets/{ticket_id}/messages").json_body]
    assert bodies.count("Looking now.") == 1


def test_the_key_is_in_the_openapi_schema(cast: Cast) -> None:
    schema = cast.api("alice").get("/api/v1/openapi.json").json_body
    for path in ("/api/v1/tickets", "/api/v1/tickets/{ticket_id}/messages"):
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("policy")  # a transactional test may find the database flushed
def test_two_requests_with_one_key_at_once_create_one_ticket(cast: Cast, monkeypatch: Any) -> None:
    """The second request arrives while the first is still creating: it waits on the key's
    index entry, then answers as the first did. PostgreSQL only: it shows the second request
    waiting on the lock, which SQLite (one writer at a time) never reaches."""
    if connection.vendor != "postgresql":
        pytest.skip("the race on the key's index entry is PostgreSQL's (SQLite has one writer)")
    from django.db import connections

    from helpline.tickets import services

    inside, release = threading.Event(), threading.Event()
    real = services.ticket_create

    def held(**kwargs: Any) -> Any:
        inside.set()
        assert release.wait(20), "never released"
        return real(**kwargs)

    monkeypatch.setattr(services, "ticket_create", held)
    key = {"Idempotency-Key": "race-1"}
    results: dict[str, Any] = {}

    def post(name: str) -> None:
        try:
            results[name] = cast.api("alice").post("tickets", _body(cast), headers=key)
        finally:
            connections.close_all()

    first = threading.Thread(target=post, args=("first",))
    first.start()
    assert inside.wait(20)
    second = threading.Thread(target=post, args=("second",))
    second.start()
    try:
        waiting = wait_until_a_session_waits_on_a_lock(release)
        assert waiting, "the second request never waited on the key"
    finally:
        release.set()
        first.join(30)
        second.join(30)
    one, two = results["first"], results["second"]
    assert one.status_code == two.status_code == 201
    assert two["Idempotent-Replayed"] == "true" and two.content == one.content
    assert Ticket.objects.count() == 1
