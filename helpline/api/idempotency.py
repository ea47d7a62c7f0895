"""``Idempotency-Key`` on the creating endpoints (decision 0086).

A client that sends the header and retries (a timeout, a dropped connection) gets the first
answer again, byte for byte, with ``Idempotent-Replayed: true``, and nothing is created twice.
The key is the client's (per user, 1–255 visible ASCII characters, kept 24 hours); the same key
with another request is a 422. A request that fails records nothing: its retry runs again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Status
from ninja.renderers import JSONRenderer
from pydantic import BaseModel

from helpline.accounts import request_keys
from helpline.accounts.models import User
from helpline.core import clock

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
OPENAPI = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": request_keys.MAX_LENGTH},
            "description": (
                "Makes a retry safe: the same key (per user, kept 24 h) with the same request "
                "answers as the first time, with Idempotent-Replayed: true, and creates nothing; "
                "with another request it is a 422 (idempotency_key_reused)."
            ),
        }
    ]
}
_RENDERER = JSONRenderer()
_CONTENT_TYPE = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"


def _canonical_body(request: HttpRequest) -> bytes:
    """The body as the endpoint read it: key order and spacing do not make another request."""
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        return request.body
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def idempotent(
    request: HttpRequest,
    *,
    user: User,
    schema: type[BaseModel],
    status: int,
    create: Callable[[], Any],
) -> Any:
    """``create()``'s result as ``status`` with ``schema``, once per Idempotency-Key."""
    key = request.headers.get(HEADER)
    if key is None:
        return Status(status, create())
    fingerprint = request_keys.fingerprint(
        method=request.method or "", path=request.path, body=_canonical_body(request)
    )

    def run() -> request_keys.Replay:
        out = schema.model_validate(create(), context={"request": request})
        content = _RENDERER.render(request, out.model_dump(), response_status=status)
        return request_keys.Replay(status=status, response=content)

    answer, replayed = request_keys.request_key_run(
        user=user, key=key, fingerprint=fingerprint, now=clock.now(), run=run
    )
    response = HttpResponse(answer.response, status=answer.status, content_type=_CONTENT_TYPE)
    if replayed:
        response[REPLAYED] = "true"
    return response
