"""GET /health: the installation's checks (``helpline.health``), as ``helpline doctor`` prints
them. Anyone may ask (a monitor has no token) and hears each check's name and verdict; an
administrator also hears what was found and what to do. Always 200 while the web process
answers: a monitor reads ``status`` (decision 0117)."""

from __future__ import annotations

from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Router, Schema

from helpline import health
from helpline.accounts import access
from helpline.api.auth import AUTH
from helpline.api.schemas import errors
from helpline.core import clock


def _anyone(request: HttpRequest) -> Any:
    return AnonymousUser()


router = Router(tags=["health"], auth=[*AUTH, _anyone])


class CheckOut(Schema):
    name: str
    ok: bool
    detail: str | None = None


class HealthOut(Schema):
    status: Literal["ok", "problem"]
    checks: list[CheckOut]


@router.get("/health", response={200: HealthOut, **errors()})
def health_get(request: HttpRequest) -> Any:
    checks = health.checks(now=clock.now())
    admin = access.is_admin(request.auth)  # type: ignore[attr-defined]
    return {
        "status": "ok" if all(c.ok for c in checks) else "problem",
        "checks": [
            {"name": c.name, "ok": c.ok, "detail": c.detail if admin else None} for c in checks
        ],
    }
