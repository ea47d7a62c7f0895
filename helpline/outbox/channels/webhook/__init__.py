"""Signed webhooks: POST the JSON body to the endpoint with

- ``X-Helpline-Timestamp``: Unix seconds when this attempt was signed;
- ``X-Helpline-Signature``: ``v1=`` + hex HMAC-SHA256 with the endpoint's secret over
  ``"<timestamp>.<body>"`` (receivers recompute it and refuse old timestamps, e.g. > 5 minutes);
- ``Idempotency-Key``: the same on every attempt of one notification (receivers drop repeats).

Payload: ``{"endpoint_id", "body"}``; the secret is read from the endpoint when sending (it is
never copied into the outbox). 2xx accepted; 408, 429 and 5xx retried; other 4xx dead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from helpline.core import http
from helpline.outbox.channels.base import Channel, Message, Permanent, Retry
from helpline.outbox.models import WebhookEndpoint

SIGNATURE_HEADER = "X-Helpline-Signature"
TIMESTAMP_HEADER = "X-Helpline-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
TIMEOUT = 10.0


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (our tests use it as theirs)."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), header)


class WebhookChannel(Channel):
    kind = "webhook"

    def send(self, message: Message) -> None:
        endpoint = WebhookEndpoint.objects.filter(pk=message.payload["endpoint_id"]).first()
        if endpoint is None or not endpoint.active:
            raise Permanent("the endpoint was removed or switched off")
        body = json.dumps(message.payload["body"], separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
            IDEMPOTENCY_HEADER: message.idempotency_key,
            "User-Agent": "Helpline-Webhooks/1",
        }
        try:
            answer = http.post_json(endpoint.url, body, headers=headers, timeout=TIMEOUT)
        except http.AddressRefused as exc:
            raise Permanent(str(exc)) from None
        except http.HttpError as exc:
            raise Retry(str(exc)) from None
        if 200 <= answer.status < 300:
            return
        if answer.status in (408, 429) or answer.status >= 500:
            raise Retry(f"the receiver answered {answer.status}")
        raise Permanent(f"the receiver answered {answer.status}")
