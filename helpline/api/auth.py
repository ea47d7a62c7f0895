"""API authentication: ``Authorization: Bearer <token>`` or the browser's session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from helpline.accounts.models import User
from helpline.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


AUTH = [BearerToken(), SessionAuth()]


def user_of(request: HttpRequest) -> User:
    """The person the request authenticated as (a token's owner or the session's user)."""
    return request.auth  # type: ignore[attr-defined]
