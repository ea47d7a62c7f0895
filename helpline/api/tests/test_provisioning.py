"""Provisioning through the API is for administrators: merchants, stores, users and tokens."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from helpline.accounts.models import ApiToken, User
from helpline.api.tests.world import (
    warm,
)
from helpline.conftest import Api, Cast
from helpline.merchants.models import Merchant, Store

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
    warm(api)

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
