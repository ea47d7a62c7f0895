"""API authentication: ``Authorization: Bearer <token>`` or the browser's session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from helpline.accounts.models import User
from helpline.accounts.services import token_find
from helpline.core.errors import Forbidden

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = token_find(token)
        if row is None:
            return None
        if row.read_only and request.method not in READS:
            # Before the endpoint runs: nothing is written, whatever the path.
            raise Forbidden(
                "this API token is read-only: it may not change anything", code="read_only_token"
            )
        request.user = row.user
        return row.user


AUTH = [BearerToken(), SessionAuth()]


def user_of(request: HttpRequest) -> User:
    """The person the request authenticated as (a token's owner or the session's user)."""
    return request.auth  # type: ignore[attr-defined]
