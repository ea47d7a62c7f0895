"""No valid token (none, unknown, revoked, a deactivated user's) is a 401 on every call, and
writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from helpline.accounts import services as accounts
from helpline.accounts.models import ApiToken, User
from helpline.api.tests.world import (
    World,
    snapshot,
)
from helpline.merchants.models import Merchant, Store

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
    before = snapshot(world.a_shoes.pk) | {
        "merchants": Merchant.objects.count(),
        "stores": Store.objects.count(),
        "users": User.objects.count(),
        "tokens": list(ApiToken.objects.order_by("pk").values("pk", "revoked_at")),
    }
    for method, path, body in _authenticated_calls(world):
        response = _raw(method, path, authorization, body)
        assert response.status_code == 401, (credentials, method, path, response.content)
        assert response.json()["code"] == "unauthenticated"
    after = snapshot(world.a_shoes.pk) | {
        "merchants": Merchant.objects.count(),
        "stores": Store.objects.count(),
        "users": User.objects.count(),
        "tokens": list(ApiToken.objects.order_by("pk").values("pk", "revoked_at")),
    }
    assert after == before
    if credentials == "none":
        # The public SLA endpoints need no token.
        assert _raw("GET", "sla/policy", None).status_code == 200
