"""Tenancy and roles through the API (docs/policy.md, "Who sees what").

What one may not see answers 404 exactly as if it did not exist, and writes nothing; what one's
role may not do answers 403; what the ticket's state does not allow answers 409 — in that order.
Merchants never see internal notes or internal events; account managers see their stores;
engineers see tickets linked to developer tickets. Authentication: test_unauthenticated;
provisioning: test_provisioning.
"""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any

import pytest

from helpline.api.tests.world import (
    NOW,
    World,
    missing_ticket_id,
    snapshot,
    warm,
)
from helpline.conftest import T0, Api
from helpline.engineering.models import DevTicket
from helpline.merchants.models import Store
from helpline.tickets import sweeps
from helpline.tickets.models import Status, Ticket, TicketEvent, TicketMessage

INTERNAL_EVENT_KINDS = {"note", "assignee", "team"}


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
    warm(api)
    before = snapshot(ticket.pk)

    hidden = api.call(method, path.format(id=ticket.pk), body)
    absent = api.call(method, path.format(id=missing_ticket_id()), body)

    assert hidden.status_code == 404, hidden.content
    assert absent.status_code == 404, absent.content
    assert hidden.content == absent.content
    assert hidden["Content-Type"] == absent["Content-Type"]
    assert hidden.json_body == {"detail": "ticket not found", "code": "not_found"}
    assert snapshot(ticket.pk) == before


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

    before = snapshot(world.a_outlet.pk)
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
    assert snapshot(world.a_outlet.pk) == before

    for ticket in (world.a_shoes, world.a_new, *world.bob_tickets):
        assert eric.get(f"tickets/{ticket.pk}").status_code == 404
        assert (
            eric.post(f"tickets/{ticket.pk}/messages", {"body": "x", "internal": True}).status_code
            == 404
        )


# ------------------------------------------------------------------ 404, then 403, then 409


def test_a_merchant_changes_no_ticket_field(world: World) -> None:
    alice = world.cast.api("alice")
    ticket = world.a_new
    warm(alice)
    before = snapshot(ticket.pk)
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
    assert snapshot(ticket.pk) == before


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
