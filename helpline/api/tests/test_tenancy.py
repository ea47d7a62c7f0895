"""Tenancy and roles through the API (POLICY.md, "Who sees what").

What one may not see answers 404 exactly as if it did not exist, and writes nothing; what one's
role may not do answers 403; what the ticket's state does not allow answers 409 — in that order.
Merchants never see internal notes or internal events; account managers see their stores;
engineers see tickets linked to developer tickets; provisioning is for administrators.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from helpline.accounts import services as accounts
from helpline.accounts.models import ApiToken, User
from helpline.billing.models import Quote
from helpline.conftest import T0, Api, Cast
from helpline.engineering.models import DevTicket
from helpline.merchants.models import Merchant, Store
from helpline.tickets import services, sweeps
from helpline.tickets.models import Status, Ticket, TicketClock, TicketEvent, TicketMessage

pytestmark = pytest.mark.django_db

# T0 is Tue 24 Nov 2026 10:30 IST. The sweep at T0 + 3 h breaches the C1 tickets (24×7, store-down:
# 15 min / 60 min); API calls happen after it, at NOW, with time frozen.
SWEEP_AT = T0 + timedelta(hours=3)
NOW = T0 + timedelta(hours=4)
INTERNAL_EVENT_KINDS = {"note", "assignee", "team"}


@dataclass
class World:
    cast: Cast
    a_shoes: Ticket  # Alice, Acme Shoes (Maya's store), C1 store-down, breached
    a_outlet: Ticket  # Alice, Acme Outlet (no manager), C3, triaged: Ravi, team Support
    a_new: Ticket  # Alice, Acme Shoes, C4, new
    b_c1: Ticket  # Bob, C1 store-down, new, breached
    b_triaged: Ticket  # Bob, C3, triaged: Ravi, team Support, due date
    b_started: Ticket  # Bob, C4, in progress
    b_closed: Ticket  # Bob, C2, withdrawn (closed)

    @property
    def bob_tickets(self) -> list[Ticket]:
        return [self.b_c1, self.b_triaged, self.b_started, self.b_closed]

    @property
    def alice_tickets(self) -> list[Ticket]:
        return [self.a_shoes, self.a_outlet, self.a_new]


def _open(actor: User, store: Store, issue_type: str, priority: str | None = None) -> Ticket:
    return services.ticket_create(
        actor=actor,
        store=store,
        subject=f"{issue_type} on {store.name}",
        description="Something is wrong.",
        issue_type=issue_type,
        priority=priority,
        now=T0,
    )


@pytest.fixture
def world(cast: Cast, time_machine: Any) -> World:
    c = cast
    a_shoes = _open(c.alice, c.acme_shoes, "store-down")
    a_outlet = _open(c.alice, c.acme_outlet, "functionality")
    a_new = _open(c.alice, c.acme_shoes, "minor")
    b_c1 = _open(c.bob, c.bolt_gadgets, "store-down")
    b_triaged = _open(c.bob, c.bolt_gadgets, "functionality")
    b_started = _open(c.bob, c.bolt_gadgets, "feature-request")
    b_closed = _open(c.bob, c.bolt_gadgets, "feature-broken")
    at = T0 + timedelta(minutes=1)
    for ticket in (a_outlet, b_triaged):
        services.ticket_triage(actor=c.ravi, ticket=ticket, assignee=c.ravi, team=c.team, now=at)
    services.ticket_start(actor=c.lena, ticket=b_started, now=at)
    services.ticket_withdraw(actor=c.bob, ticket=b_closed, now=at)
    assert sweeps.clocks_sweep(now=SWEEP_AT) > 0
    time_machine.move_to(NOW, tick=False)
    return World(c, a_shoes, a_outlet, a_new, b_c1, b_triaged, b_started, b_closed)


def _snapshot(ticket_id: int) -> dict[str, Any]:
    """Everything a call on a ticket could write."""
    return {
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "messages": TicketMessage.objects.count(),
        "quotes": Quote.objects.count(),
        "row": Ticket.objects.filter(pk=ticket_id).values().get(),
        "clocks": list(TicketClock.objects.filter(ticket_id=ticket_id).order_by("pk").values()),
    }


def _missing_ticket_id() -> int:
    return Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000


def _warm(api: Api) -> None:
    """One authenticated call first: the token's last-use write is not what a test measures."""
    assert api.get("me").status_code == 200


# -------------------------------------------------------------- 404: not visible, nothing written

TICKET_CALLS = [
    pytest.param("GET", "tickets/{id}", None, id="get"),
    pytest.param(
        "PATCH", "tickets/{id}", {"priority": "C1", "reason": "urgent"}, id="patch-priority"
    ),
    pytest.param("PATCH", "tickets/{id}", {"assignee": None, "team": None}, id="patch-unassign"),
    pytest.param("GET", "tickets/{id}/messages", None, id="messages"),
    pytest.param("POST", "tickets/{id}/messages", {"body": "hello"}, id="reply"),
    pytest.param("POST", "tickets/{id}/messages", {"body": "psst", "internal": True}, id="note"),
    pytest.param("POST", "tickets/{id}/messages", {"body": "ok?", "question": True}, id="question"),
    pytest.param("POST", "tickets/{id}/transitions", {"action": "withdraw"}, id="withdraw"),
    pytest.param(
        "POST", "tickets/{id}/transitions", {"action": "resolve", "message": "done"}, id="resolve"
    ),
    pytest.param(
        "POST",
        "tickets/{id}/transitions",
        {"action": "triage", "priority": "C4", "reason": "meh"},
        id="triage",
    ),
    pytest.param("POST", "tickets/{id}/transitions", {"action": "frobnicate"}, id="unknown-action"),
    pytest.param("GET", "tickets/{id}/events", None, id="events"),
]

OUT_OF_SCOPE = [
    pytest.param("alice", "b_c1", id="alice-on-bob"),
    pytest.param("alice", "b_closed", id="alice-on-bob-closed"),
    pytest.param("bob", "a_shoes", id="bob-on-alice"),
    pytest.param("maya", "a_outlet", id="maya-on-unmanaged-acme-store"),
    pytest.param("maya", "b_triaged", id="maya-on-bolt"),
    pytest.param("eric", "a_shoes", id="eric-on-unlinked"),
]


@pytest.mark.parametrize(("viewer", "target"), OUT_OF_SCOPE)
@pytest.mark.parametrize(("method", "path", "body"), TICKET_CALLS)
def test_an_invisible_ticket_answers_exactly_like_a_missing_one_and_nothing_is_written(
    world: World, viewer: str, target: str, method: str, path: str, body: Any
) -> None:
    ticket = getattr(world, target)
    api = world.cast.api(viewer)
    _warm(api)
    before = _snapshot(ticket.pk)

    hidden = api.call(method, path.format(id=ticket.pk), body)
    absent = api.call(method, path.format(id=_missing_ticket_id()), body)

    assert hidden.status_code == 404, hidden.content
    assert absent.status_code == 404, absent.content
    assert hidden.content == absent.content
    assert hidden["Content-Type"] == absent["Content-Type"]
    assert hidden.json_body == {"detail": "ticket not found", "code": "not_found"}
    assert _snapshot(ticket.pk) == before


def test_the_same_calls_reach_the_ticket_for_its_owner(world: World) -> None:
    """The 404s above are about scope, not about the calls: the owner gets through."""
    api = world.cast.api("bob")
    assert api.get(f"tickets/{world.b_c1.pk}").status_code == 200
    assert api.get(f"tickets/{world.b_c1.pk}/messages").status_code == 200
    assert api.get(f"tickets/{world.b_c1.pk}/events").status_code == 200
    assert api.post(f"tickets/{world.b_c1.pk}/messages", {"body": "hello"}).status_code == 201
    assert (
        api.post(f"tickets/{world.b_c1.pk}/transitions", {"action": "withdraw"}).status_code == 200
    )


# ------------------------------------------------------------------ lists


def _all_pages(api: Api, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params = dict(params)
    for _ in range(100):
        response = api.get("tickets", **params)
        assert response.status_code == 200, (params, response.content)
        items += response.json_body["items"]
        if not response.json_body["next"]:
            return items
        params["cursor"] = response.json_body["next"]
    raise AssertionError(f"pagination does not end: {params}")


def _cursors(api: Api) -> list[str]:
    """Every cursor the API hands out to this caller, one row per page."""
    cursors: list[str] = []
    params: dict[str, Any] = {"limit": 1}
    while True:
        page = api.get("tickets", **params).json_body
        if not page["next"]:
            return cursors
        cursors.append(page["next"])
        params["cursor"] = page["next"]


def _filter_values(world: World) -> dict[str, list[Any]]:
    c = world.cast
    return {
        "status": [["new"], ["triaged"], ["in_progress"], ["closed"], [s.value for s in Status]],
        "priority": [["C1"], ["C3"], ["C1", "C2", "C3", "C4"]],
        "store": [c.bolt_gadgets.pk, c.acme_shoes.pk, c.acme_outlet.pk],
        "team": [c.team.pk],
        "assignee": [c.ravi.pk],
        "breached": ["true", "false"],
        "due_before": [
            (NOW + timedelta(days=365)).isoformat(),
            (T0 - timedelta(days=1)).isoformat(),
        ],
        "cursor": _cursors(c.api("bob")),
        "limit": [1, 2, 200],
    }


def _combinations(values: dict[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(values)
    combos: list[dict[str, Any]] = [{}]
    combos += [{name: v} for name in names for v in values[name]]
    for a, b in itertools.combinations(names, 2):
        combos += [{a: va, b: vb} for va, vb in itertools.product(values[a], values[b])]
    # Every filter at once.
    everything = {"status": values["status"][-1], "priority": values["priority"][-1]}
    for store, breached, cursor, limit in itertools.product(
        [None, *values["store"]], [None, *values["breached"]], [None, *values["cursor"]], [None, 1]
    ):
        combo = dict(everything, team=values["team"][0], assignee=values["assignee"][0])
        extra = {"store": store, "breached": breached, "cursor": cursor, "limit": limit}
        combos.append(combo | {k: v for k, v in extra.items() if v is not None})
        combos.append(everything | {k: v for k, v in extra.items() if v is not None})
    return combos


def test_no_list_ever_shows_another_merchants_tickets(world: World) -> None:
    alice, ada = world.cast.api("alice"), world.cast.api("ada")
    acme_ids = {t.pk for t in world.alice_tickets}
    bob_ids = {t.pk for t in world.bob_tickets}
    combos = _combinations(_filter_values(world))
    assert len(combos) > 200
    bob_rows_matched = 0
    for params in combos:
        if "team" in params or "assignee" in params:
            # Assignment is internal: a merchant may not even filter by it.
            refused = alice.get("tickets", **params)
            assert refused.status_code == 403, params
            assert refused.json_body["code"] == "filter_forbidden"
            continue
        seen = _all_pages(alice, params)
        ids = [item["id"] for item in seen]
        assert not set(ids) & bob_ids, params
        assert {item["merchant"] for item in seen} <= {"acme"}, params
        assert all(item["assignee"] is None and item["team"] is None for item in seen), params
        # The oracle: Alice's answer is the administrator's answer restricted to Acme, in order.
        everyone = [item["id"] for item in _all_pages(ada, params)]
        assert ids == [i for i in everyone if i in acme_ids], params
        bob_rows_matched += bool(set(everyone) & bob_ids)
    # The filters were live: most combinations did select some of Bob's rows for the admin.
    assert bob_rows_matched > len(combos) // 3


def test_bobs_cursor_gives_alice_only_her_own_older_tickets(world: World) -> None:
    alice = world.cast.api("alice")
    for cursor in _cursors(world.cast.api("bob")):
        page = alice.get("tickets", cursor=cursor, limit=200).json_body
        assert {item["id"] for item in page["items"]} <= {t.pk for t in world.alice_tickets}


def test_stores_list_is_scoped(world: World) -> None:
    c = world.cast
    assert {s["id"] for s in c.api("alice").get("stores").json_body} == {
        c.acme_shoes.pk,
        c.acme_outlet.pk,
    }
    assert {s["id"] for s in c.api("maya").get("stores").json_body} == {c.acme_shoes.pk}
    assert c.api("eric").get("stores").json_body == []


def test_a_merchant_cannot_learn_assignment_through_the_list_filters(world: World) -> None:
    c = world.cast
    alice = c.api("alice")

    def answer(**params: Any) -> Any:
        r = alice.get("tickets", **params)
        return r.status_code, r.json_body

    assert answer(assignee=c.ravi.pk) == answer(assignee=c.lena.pk)
    assert answer(team=c.team.pk) == answer(team=c.team.pk + 1000)


# ------------------------------------------------------------------ filing a ticket


def test_filing_for_another_merchants_store_is_a_404_like_a_missing_store(world: World) -> None:
    c = world.cast
    body = {"subject": "Help", "description": "Please", "issue_type": "functionality"}
    missing_store = Store.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    for name, store in [
        ("alice", c.bolt_gadgets),
        ("maya", c.acme_outlet),
        ("maya", c.bolt_gadgets),
    ]:
        api = c.api(name)
        before = (Ticket.objects.count(), TicketEvent.objects.count())
        hidden = api.post("tickets", body | {"store": store.pk})
        absent = api.post("tickets", body | {"store": missing_store})
        assert hidden.status_code == 404, (name, hidden.content)
        assert hidden.content == absent.content
        assert (Ticket.objects.count(), TicketEvent.objects.count()) == before
    created = c.api("maya").post("tickets", body | {"store": c.acme_shoes.pk})
    assert created.status_code == 201, created.content
    assert created.json_body["merchant"] == "acme"


# ------------------------------------------------------------------ internal notes and events


def _assert_merchant_view_is_public(world: World, ticket: Ticket, secret: str) -> None:
    alice = world.cast.api("alice")
    messages = alice.get(f"tickets/{ticket.pk}/messages")
    assert messages.status_code == 200
    assert all(not m["internal"] for m in messages.json_body)
    assert secret not in json.dumps(messages.json_body)
    events = alice.get(f"tickets/{ticket.pk}/events")
    assert events.status_code == 200
    kinds = {e["kind"] for e in events.json_body}
    assert not kinds & INTERNAL_EVENT_KINDS, kinds
    assert not {k for k in kinds if k.startswith("sla_")}, kinds
    assert all(e["public"] for e in events.json_body)
    internal_ids = set(
        TicketMessage.objects.filter(ticket=ticket, internal=True).values_list("pk", flat=True)
    )
    shown_ids = {(e["after"] or {}).get("message_id") for e in events.json_body}
    assert not shown_ids & internal_ids
    got = alice.get(f"tickets/{ticket.pk}").json_body
    assert got["assignee"] is None
    assert got["team"] is None
    for item in alice.get("tickets").json_body["items"]:
        assert item["assignee"] is None
        assert item["team"] is None


def test_internal_notes_and_internal_events_never_reach_a_merchant(world: World) -> None:
    c = world.cast
    ticket = world.a_shoes
    ravi = c.api("ravi")
    secret = "the root cause is our misconfigured CDN"
    assert (
        ravi.post(f"tickets/{ticket.pk}/messages", {"body": secret, "internal": True}).status_code
        == 201
    )
    patched = ravi.patch(f"tickets/{ticket.pk}", {"assignee": c.ravi.pk, "team": c.team.pk})
    assert patched.status_code == 200, patched.content
    assert ravi.post(f"tickets/{ticket.pk}/messages", {"body": "We are on it."}).status_code == 201
    assert (
        c.api("alice").post(f"tickets/{ticket.pk}/messages", {"body": "Thanks"}).status_code == 201
    )

    # A breach recorded later by the worker's sweep (the C4 ticket on the same store, too).
    sweeps.clocks_sweep(now=NOW + timedelta(days=30))
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_breached").exists()

    _assert_merchant_view_is_public(world, ticket, secret)
    _assert_merchant_view_is_public(world, world.a_new, secret)
    bodies = [m["body"] for m in c.api("alice").get(f"tickets/{ticket.pk}/messages").json_body]
    assert bodies == ["We are on it.", "Thanks"]

    # Staff (agent, admin, the store's account manager) see all of it.
    for name in ("ravi", "ada", "maya"):
        api = c.api(name)
        messages = api.get(f"tickets/{ticket.pk}/messages").json_body
        assert any(m["internal"] and m["body"] == secret for m in messages), name
        kinds = {e["kind"] for e in api.get(f"tickets/{ticket.pk}/events").json_body}
        assert {"note", "assignee", "team", "sla_breached", "sla_met"} <= kinds, (name, kinds)
        got = api.get(f"tickets/{ticket.pk}").json_body
        assert (got["assignee"], got["team"]) == (c.ravi.pk, c.team.pk)


# ------------------------------------------------------------------ account managers and engineers


def test_an_account_manager_sees_and_acts_on_her_stores_tickets_only(world: World) -> None:
    c = world.cast
    maya = c.api("maya")
    listed = {item["id"] for item in _all_pages(maya, {})}
    assert listed == {world.a_shoes.pk, world.a_new.pk}
    assert maya.get(f"tickets/{world.a_new.pk}").json_body["allowed_actions"] == [
        "resolve",
        "start",
        "triage",
    ]
    note = maya.post(
        f"tickets/{world.a_new.pk}/messages", {"body": "called them", "internal": True}
    )
    assert note.status_code == 201, note.content
    assert (
        maya.patch(f"tickets/{world.a_new.pk}", {"assignee": c.maya.pk}).json_body["assignee"]
        == c.maya.pk
    )
    started = maya.post(f"tickets/{world.a_new.pk}/transitions", {"action": "start"})
    assert started.status_code == 200, started.content
    assert started.json_body["status"] == "in_progress"
    reply = maya.post(f"tickets/{world.a_shoes.pk}/messages", {"body": "Looking now."})
    assert reply.status_code == 201
    for ticket in (world.a_outlet, *world.bob_tickets):
        assert maya.get(f"tickets/{ticket.pk}").status_code == 404
        assert maya.post(f"tickets/{ticket.pk}/transitions", {"action": "start"}).status_code == 404


def test_an_engineer_sees_linked_tickets_only_and_posts_internal_notes_only(world: World) -> None:
    c = world.cast
    eric = c.api("eric")
    assert _all_pages(eric, {}) == []
    dev = DevTicket.objects.create(title="CDN config", created_at=T0, engineer=c.eric)
    dev.tickets.add(world.a_outlet)

    assert [item["id"] for item in _all_pages(eric, {})] == [world.a_outlet.pk]
    got = eric.get(f"tickets/{world.a_outlet.pk}")
    assert got.status_code == 200
    assert got.json_body["allowed_actions"] == []
    note = eric.post(
        f"tickets/{world.a_outlet.pk}/messages", {"body": "fix deployed", "internal": True}
    )
    assert note.status_code == 201, note.content
    messages = eric.get(f"tickets/{world.a_outlet.pk}/messages").json_body
    assert any(m["internal"] for m in messages)

    before = _snapshot(world.a_outlet.pk)
    refused = [
        eric.post(f"tickets/{world.a_outlet.pk}/messages", {"body": "Hello merchant"}),
        eric.post(
            f"tickets/{world.a_outlet.pk}/messages", {"body": "Which URL?", "question": True}
        ),
        eric.patch(f"tickets/{world.a_outlet.pk}", {"assignee": c.ravi.pk}),
        eric.patch(f"tickets/{world.a_outlet.pk}", {"priority": "C1", "reason": "bad"}),
        eric.post(
            f"tickets/{world.a_outlet.pk}/transitions", {"action": "resolve", "message": "ok"}
        ),
        eric.post(f"tickets/{world.a_outlet.pk}/transitions", {"action": "start"}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused), [r.content for r in refused]
    assert all(r.json_body["code"] == "action_forbidden" for r in refused)
    assert _snapshot(world.a_outlet.pk) == before

    for ticket in (world.a_shoes, world.a_new, *world.bob_tickets):
        assert eric.get(f"tickets/{ticket.pk}").status_code == 404
        assert (
            eric.post(f"tickets/{ticket.pk}/messages", {"body": "x", "internal": True}).status_code
            == 404
        )


# ------------------------------------------------------------------ 401


def _raw(method: str, path: str, authorization: str | None, body: Any = None) -> Any:
    headers = {"Authorization": authorization} if authorization is not None else {}
    client = Client()
    url = f"/api/v1/{path}"
    if method == "GET":
        return client.get(url, headers=headers)
    return client.generic(
        method, url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def _authenticated_calls(world: World) -> list[tuple[str, str, Any]]:
    t = world.a_shoes.pk
    c = world.cast
    return [
        ("GET", "me", None),
        ("GET", "stores", None),
        ("GET", "tickets", None),
        (
            "POST",
            "tickets",
            {"store": c.acme_shoes.pk, "subject": "s", "description": "d", "issue_type": "minor"},
        ),
        ("GET", f"tickets/{t}", None),
        ("PATCH", f"tickets/{t}", {"priority": "C2", "reason": "x"}),
        ("GET", f"tickets/{t}/messages", None),
        ("POST", f"tickets/{t}/messages", {"body": "hi"}),
        ("POST", f"tickets/{t}/transitions", {"action": "withdraw"}),
        ("GET", f"tickets/{t}/events", None),
        ("POST", "merchants", {"name": "X", "slug": "x"}),
        ("POST", "stores", {"merchant": "acme", "name": "New", "url": "https://new.acme.test"}),
        ("POST", "users", {"email": "x@x.test", "role": "agent"}),
        ("POST", f"users/{c.alice.pk}/tokens", {"name": "x"}),
        (
            "DELETE",
            f"tokens/{ApiToken.objects.filter(user=c.alice).values_list('pk', flat=True)[0]}",
            None,
        ),
    ]


@pytest.mark.parametrize(
    "credentials",
    ["none", "garbage", "empty-bearer", "basic", "revoked", "inactive-user", "digest-as-token"],
)
def test_no_valid_token_is_a_401_everywhere(world: World, credentials: str) -> None:
    c = world.cast
    raw_alice = c.tokens["alice"]
    token_row = ApiToken.objects.get(digest=accounts.token_digest(raw_alice))
    if credentials == "revoked":
        accounts.token_revoke(token=token_row)
    if credentials == "inactive-user":
        User.objects.filter(pk=c.alice.pk).update(is_active=False)
    authorization = {
        "none": None,
        "garbage": "Bearer hl_not-a-token",
        "empty-bearer": "Bearer ",
        "basic": "Basic YWxpY2VAYWNtZS50ZXN0OnNlY3JldA==",
        "revoked": f"Bearer {raw_alice}",
        "inactive-user": f"Bearer {raw_alice}",
        "digest-as-token": f"Bearer {token_row.digest}",
    }[credentials]
    before = _snapshot(world.a_shoes.pk) | {
        "merchants": Merchant.objects.count(),
        "stores": Store.objects.count(),
        "users": User.objects.count(),
        "tokens": list(ApiToken.objects.order_by("pk").values("pk", "revoked_at")),
    }
    for method, path, body in _authenticated_calls(world):
        response = _raw(method, path, authorization, body)
        assert response.status_code == 401, (credentials, method, path, response.content)
        assert response.json()["code"] == "unauthenticated"
    after = _snapshot(world.a_shoes.pk) | {
        "merchants": Merchant.objects.count(),
        "stores": Store.objects.count(),
        "users": User.objects.count(),
        "tokens": list(ApiToken.objects.order_by("pk").values("pk", "revoked_at")),
    }
    assert after == before
    if credentials == "none":
        # The public SLA endpoints need no token.
        assert _raw("GET", "sla/policy", None).status_code == 200


# ------------------------------------------------------------------ provisioning


def _provisioning_calls(c: Cast) -> list[tuple[str, str, Any]]:
    return [
        ("POST", "merchants", {"name": "Zed Foods", "slug": "zed"}),
        (
            "POST",
            "stores",
            {"merchant": "acme", "name": "Acme Kids", "url": "https://kids.acme.test"},
        ),
        ("POST", "users", {"email": "mallory@helpline.test", "role": "admin"}),
        ("POST", f"users/{c.ada.pk}/tokens", {"name": "stolen"}),
        ("POST", f"users/{c.alice.pk}/tokens", {"name": "x"}),
    ]


@pytest.mark.parametrize("name", ["alice", "bob", "ravi", "lena", "maya", "eric"])
def test_provisioning_is_forbidden_to_everyone_but_admins(cast: Cast, name: str) -> None:
    api = cast.api(name)
    _warm(api)

    def counts() -> tuple[int, ...]:
        return (
            Merchant.objects.count(),
            Store.objects.count(),
            User.objects.count(),
            ApiToken.objects.count(),
        )

    before = counts()
    for method, path, body in _provisioning_calls(cast):
        response = api.call(method, path, body)
        assert response.status_code == 403, (name, path, response.content)
        assert response.json_body["code"] == "forbidden"
    assert counts() == before


def test_an_admin_provisions_a_merchant_a_store_a_user_and_a_working_token(cast: Cast) -> None:
    ada = cast.api("ada")
    merchant = ada.post(
        "merchants", {"name": "Zed Foods", "slug": "zed", "time_zone": "Europe/Paris"}
    )
    assert merchant.status_code == 201, merchant.content
    assert merchant.json_body | {"id": 0} == {
        "id": 0,
        "name": "Zed Foods",
        "slug": "zed",
        "time_zone": "Europe/Paris",
    }
    assert ada.post("merchants", {"name": "Zed again", "slug": "zed"}).status_code == 409

    store = ada.post(
        "stores",
        {
            "merchant": "zed",
            "name": "Zed Market",
            "url": "https://zed.test",
            "account_manager": cast.maya.pk,
        },
    )
    assert store.status_code == 201, store.content
    assert (store.json_body["merchant"], store.json_body["account_manager"]) == (
        "zed",
        cast.maya.pk,
    )
    assert (
        ada.post("stores", {"merchant": "nope", "name": "N", "url": "https://n.test"}).status_code
        == 404
    )

    user = ada.post(
        "users",
        {"email": "Zoe@Zed.test", "role": "merchant", "merchant": "zed", "first_name": "Zoe"},
    )
    assert user.status_code == 201, user.content
    assert (user.json_body["email"], user.json_body["merchant"]) == ("zoe@zed.test", "zed")
    assert (
        ada.post(
            "users", {"email": "zoe@zed.test", "role": "merchant", "merchant": "zed"}
        ).status_code
        == 409
    )

    issued = ada.post(f"users/{user.json_body['id']}/tokens", {"name": "integration"})
    assert issued.status_code == 201, issued.content
    raw = issued.json_body["token"]
    row = ApiToken.objects.get(pk=issued.json_body["id"])
    assert row.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.digest, row.prefix, row.name}
    assert raw.startswith(row.prefix) and len(row.prefix) < len(raw)
    assert ada.post("users/999999/tokens", {"name": "x"}).status_code == 404

    zoe = Api(raw)
    me = zoe.get("me")
    assert me.status_code == 200
    assert me.json_body["email"] == "zoe@zed.test"
    assert [s["name"] for s in zoe.get("stores").json_body] == ["Zed Market"]
    filed = zoe.post(
        "tickets",
        {
            "store": store.json_body["id"],
            "subject": "Hi",
            "description": "Help",
            "issue_type": "minor",
        },
    )
    assert filed.status_code == 201, filed.content
    assert [i["id"] for i in zoe.get("tickets").json_body["items"]] == [filed.json_body["id"]]
    assert Api(cast.tokens["alice"]).get(f"tickets/{filed.json_body['id']}").status_code == 404
    # Maya manages the new store: she sees the ticket.
    assert cast.api("maya").get(f"tickets/{filed.json_body['id']}").status_code == 200

    # Revoked: the token stops working at once.
    assert zoe.call("DELETE", f"tokens/{row.pk}").status_code == 204
    assert zoe.get("me").status_code == 401


# ------------------------------------------------------------------ 404, then 403, then 409


def test_a_merchant_changes_no_ticket_field(world: World) -> None:
    alice = world.cast.api("alice")
    ticket = world.a_new
    _warm(alice)
    before = _snapshot(ticket.pk)
    for body in (
        {"priority": "C1", "reason": "please"},
        {"issue_type": "store-down", "reason": "please"},
        {"assignee": world.cast.ravi.pk},
        {"team": world.cast.team.pk},
        {"due_at": (NOW + timedelta(days=1)).isoformat(), "reason": "soon"},
        {},
    ):
        response = alice.patch(f"tickets/{ticket.pk}", body)
        assert response.status_code == 403, (body, response.content)
        assert response.json_body["code"] == "action_forbidden"
    assert _snapshot(ticket.pk) == before


def test_checks_run_in_order_not_visible_then_forbidden_then_not_now(world: World) -> None:
    c = world.cast
    alice, ravi, eric = c.api("alice"), c.api("ravi"), c.api("eric")
    own, bobs = world.a_new, world.b_closed  # both will be closed
    DevTicket.objects.create(title="t", created_at=T0).tickets.add(own)
    assert alice.post(f"tickets/{own.pk}/transitions", {"action": "withdraw"}).status_code == 200

    staff_only = [
        ("PATCH", "tickets/{id}", {"priority": "C1", "reason": "x"}),
        ("POST", "tickets/{id}/transitions", {"action": "triage", "priority": "C1", "reason": "x"}),
        ("POST", "tickets/{id}/transitions", {"action": "resolve", "message": "done"}),
        ("POST", "tickets/{id}/messages", {"body": "psst", "internal": True}),
        ("POST", "tickets/{id}/messages", {"body": "?", "question": True}),
    ]
    # On Bob's closed ticket: everything is 404, even what would be 403 or 409.
    for method, path, body in [*staff_only, ("POST", "tickets/{id}/messages", {"body": "hi"})]:
        assert alice.call(method, path.format(id=bobs.pk), body).status_code == 404, (path, body)
    # On her own closed ticket: her role's limits (403) come before the state (409).
    for method, path, body in staff_only:
        response = alice.call(method, path.format(id=own.pk), body)
        assert response.status_code == 403, (path, body, response.content)
    assert eric.post(f"tickets/{own.pk}/messages", {"body": "hello"}).status_code == 403
    assert eric.post(f"tickets/{own.pk}/transitions", {"action": "start"}).status_code == 403
    # What she may do in general, the closed state refuses (409), naming what is allowed now.
    for body in ({"action": "reopen"}, {"action": "withdraw"}, {"action": "close", "rating": 5}):
        refused = alice.post(f"tickets/{own.pk}/transitions", body)
        assert refused.status_code == 409, (body, refused.content)
        assert refused.json_body["allowed"] == []
    assert alice.post(f"tickets/{own.pk}/messages", {"body": "hello?"}).status_code == 409
    assert ravi.patch(f"tickets/{own.pk}", {"priority": "C1", "reason": "x"}).status_code == 409
    assert (
        eric.post(f"tickets/{own.pk}/messages", {"body": "n", "internal": True}).status_code == 409
    )

    # On an open ticket, a merchant action the state does not allow names the allowed ones.
    refused = alice.post(f"tickets/{world.a_outlet.pk}/transitions", {"action": "approve"})
    assert refused.status_code == 409
    assert refused.json_body["code"] == "transition_not_allowed"
    assert refused.json_body["allowed"] == ["withdraw"]


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("alice", {"assignee": 999_999}),
        ("alice", {"team": 999_999}),
        ("eric", {"assignee": 999_999}),
    ],
)
def test_a_role_that_may_not_change_fields_gets_403_whatever_the_body_names(
    world: World, name: str, body: dict[str, Any]
) -> None:
    DevTicket.objects.create(title="t", created_at=T0).tickets.add(world.a_new)
    api = world.cast.api(name)
    patch = api.patch(f"tickets/{world.a_new.pk}", body)
    triage = api.post(f"tickets/{world.a_new.pk}/transitions", {"action": "triage", **body})
    assert (patch.status_code, triage.status_code) == (403, 403)
