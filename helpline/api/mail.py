"""Mail: the inbound endpoint for providers that POST raw MIME, and the quarantine for staff.

``POST /api/v1/mail/inbound`` takes the raw RFC 5322 message as the request body (any content
type) with the shared secret in ``X-Helpline-Inbound-Secret`` (``HELPLINE_MAIL_INBOUND_SECRET``;
unset: the endpoint refuses everyone). It answers 200 with what became of the message — a
quarantined message is received and kept, not an error — so the provider does not retry it.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import APIKeyHeader

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import Id, In, errors
from helpline.core.errors import Forbidden, InvalidInput
from helpline.mail import quarantine, services
from helpline.merchants import selectors as merchant_selectors

router = Router(tags=["mail"])


class InboundSecret(APIKeyHeader):
    param_name = "X-Helpline-Inbound-Secret"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        secret = settings.MAIL_INBOUND_SECRET
        if not secret or not key or not hmac.compare_digest(key.encode(), secret.encode()):
            return None
        return "mail-provider"


class IngestOut(Schema):
    outcome: str
    reference: str
    reason: str
    id: int | None
    duplicate: bool
    refused: list[str]


@router.post(
    "/mail/inbound",
    auth=InboundSecret(),
    response={200: IngestOut, **errors(413)},
    openapi_extra={
        "requestBody": {
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
            "required": True,
        }
    },
)
def mail_inbound(request: HttpRequest) -> Any:
    limit = settings.MAIL_MAX_BYTES
    # Read the stream ourselves: Django's request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE
    # (2.5 MB), smaller than a mail with attachments.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raw += request.read()  # mail_ingest keeps the head and quarantines it as too large
    result = services.mail_ingest(raw, source="http", name=request.META.get("REMOTE_ADDR", ""))
    return {
        "outcome": result.outcome,
        "reference": result.reference,
        "reason": result.reason,
        "id": result.inbound_id,
        "duplicate": result.duplicate,
        "refused": list(result.refused),
    }


def _staff(request: HttpRequest) -> User:
    user = user_of(request)
    if not (access.is_admin(user) or (access.is_staff(user) and user.role == "agent")):
        raise Forbidden("only agents and administrators see the mail quarantine")
    return user


class QuarantinedOut(Schema):
    id: int
    name: str
    source: str
    from_address: str
    subject: str
    reason: str
    sender_auth: str = Field(
        description="The sender check: pass, fail, none, temperror; empty when not checked"
    )
    sender_auth_detail: str
    raw_size: int
    received_at: datetime


@router.get("/mail/quarantine", auth=AUTH, response={200: list[QuarantinedOut], **errors(403)})
def quarantine_list(request: HttpRequest, limit: int = 100) -> Any:
    _staff(request)
    if not 1 <= limit <= 500:
        raise InvalidInput("limit must be between 1 and 500", code="invalid_limit")
    return quarantine.quarantine_list(limit=limit)


class ToTicketIn(In):
    store_id: Id | None = None


class TicketRef(Schema):
    id: int
    reference: str


@router.post(
    "/mail/quarantine/{inbound_id}/ticket",
    auth=AUTH,
    response={200: TicketRef, **errors(403, 404)},
)
def quarantine_ticket(request: HttpRequest, inbound_id: Id, payload: ToTicketIn) -> Any:
    user = _staff(request)
    store = None
    if payload.store_id is not None:
        store = merchant_selectors.store_get(user=user, store_id=payload.store_id)
    ticket = quarantine.quarantine_to_ticket(inbound_id=inbound_id, actor=user, store=store)
    return {"id": ticket.pk, "reference": ticket.reference}


class DiscardIn(In):
    reason: str = Field("", max_length=500)


class Discarded(Schema):
    id: int
    status: str


@router.post(
    "/mail/quarantine/{inbound_id}/discard",
    auth=AUTH,
    response={200: Discarded, **errors(403, 404)},
)
def quarantine_discard(request: HttpRequest, inbound_id: Id, payload: DiscardIn) -> Any:
    user = _staff(request)
    row = quarantine.quarantine_discard(inbound_id=inbound_id, actor=user, reason=payload.reason)
    return {"id": row.pk, "status": row.status}
