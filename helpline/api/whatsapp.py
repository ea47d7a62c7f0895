"""Meta's WhatsApp Cloud API webhook: GET verifies the subscription, POST brings messages.

No bearer token here: Meta proves itself with the verify token (GET) and the signature of
each body with the app secret (POST, ``X-Hub-Signature-256``). A bad signature is refused
with 403 and nothing is recorded.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from helpline.api.schemas import errors
from helpline.core import clock
from helpline.core.errors import Forbidden, InvalidInput
from helpline.notifications import whatsapp_inbound as inbound

router = Router(tags=["whatsapp"], auth=None)
PATH = "/whatsapp/webhook"


@router.get(PATH, response={200: str, **errors(403)}, openapi_extra={"security": []})
def verify(request: HttpRequest) -> HttpResponse:
    challenge = inbound.verification_challenge(
        request.GET.get("hub.mode", ""),
        request.GET.get("hub.verify_token", ""),
        request.GET.get("hub.challenge", ""),
    )
    if challenge is None:
        raise Forbidden("the verify token does not match", code="bad_verify_token")
    return HttpResponse(challenge, content_type="text/plain")


@router.post(PATH, response={200: dict[str, int], **errors(403)}, openapi_extra={"security": []})
def receive(request: HttpRequest) -> Any:
    if not inbound.signature_ok(request.body, request.headers.get(inbound.SIGNATURE_HEADER, "")):
        raise Forbidden("bad or missing X-Hub-Signature-256", code="bad_signature")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the body is not JSON", code="invalid_webhook") from None
    rows = inbound.whatsapp_received(payload=payload, now=clock.now())
    return {"recorded": len(rows), "replies": sum(r.outcome == "reply" for r in rows)}
