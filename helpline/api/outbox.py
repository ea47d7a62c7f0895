"""The outbox for administrators: notifications by state (dead letters first of all), retry."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import Id, In, errors
from helpline.core.errors import Forbidden
from helpline.outbox import services

router = Router(tags=["outbox"], auth=AUTH)


def _admin(request: HttpRequest) -> User:
    user = user_of(request)
    if not access.is_admin(user):
        raise Forbidden("only administrators see and retry the outbox")
    return user


class OutboxOut(Schema):
    id: int
    channel: str
    kind: str
    recipient: str
    state: str
    attempts: int
    due_at: datetime
    last_error: str
    created_at: datetime
    done_at: datetime | None
    ticket: int | None

    @staticmethod
    def resolve_ticket(obj: Any) -> int | None:
        return obj.ticket_id


class OutboxFilter(Schema):
    state: Literal["pending", "sending", "done", "dead"] = "dead"
    limit: int = Field(50, ge=1, le=200)


@router.get("/outbox", response={200: list[OutboxOut], **errors(403)})
def outbox_list(request: HttpRequest, filters: Query[OutboxFilter]) -> Any:
    _admin(request)
    return services.outbox_list(state=filters.state, limit=filters.limit)


class RetryIn(In):
    ids: list[Id] = Field(default_factory=list, max_length=1000)
    all_dead: bool = False


class RetryOut(Schema):
    retried: int


@router.post("/outbox/retry", response={200: RetryOut, **errors(403)})
def outbox_retry(request: HttpRequest, payload: RetryIn) -> Any:
    _admin(request)
    retried = services.outbox_retry(
        ids=payload.ids if payload.ids else None, all_dead=payload.all_dead
    )
    return {"retried": retried}
