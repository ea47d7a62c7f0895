"""WhatsApp Business through Meta's Cloud API.

``POST {HELPLINE_WHATSAPP_API_URL}/{phone-number id}/messages`` with the bearer token. Inside the
24 hours after the customer last wrote to us (``WhatsAppWindow``) a free-text message; outside
it an approved template (the business starts the conversation). The choice is made when
sending, not when the row was written: the window may have opened or closed meanwhile.

Payload: ``{"text": "...", "template": {"name": "...", "language": "en", "params": [...]}}``;
a question with reply choices adds ``"interactive"`` (a list, sent inside the window) and the
template's ``"buttons"`` (quick-reply payloads, outside it).
The Cloud API has no idempotency key: the key goes in ``biz_opaque_callback_data`` (returned in
status callbacks), so a repeat can be recognised afterwards.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings

from helpline.core import clock, http
from helpline.outbox.channels.base import Channel, Message, Permanent, Retry
from helpline.outbox.models import WhatsAppWindow

WINDOW = timedelta(hours=24)
TIMEOUT = 10.0


def in_window(phone: str) -> bool:
    seen = WhatsAppWindow.objects.filter(phone=phone).values_list("last_inbound_at", flat=True)
    last = seen.first()
    return last is not None and clock.now() - last < WINDOW


def request_body(message: Message, *, free_text: bool) -> dict[str, Any]:
    payload = message.payload
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.recipient.lstrip("+"),
        "biz_opaque_callback_data": message.idempotency_key,
    }
    if free_text and "interactive" in payload:
        body["type"] = "interactive"
        body["interactive"] = _interactive(payload["interactive"])
        return body
    if free_text:
        body["type"] = "text"
        body["text"] = {"preview_url": False, "body": payload["text"][:4096]}
        return body
    template = payload["template"]
    body["type"] = "template"
    body["template"] = {
        "name": template["name"],
        "language": {"code": template.get("language", "en")},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": str(p)} for p in template["params"]],
            },
            *(
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": str(index),
                    "parameters": [{"type": "payload", "payload": reply}],
                }
                for index, reply in enumerate(template.get("buttons") or [])
            ),
        ],
    }
    return body


def _interactive(spec: dict[str, Any]) -> dict[str, Any]:
    """An interactive list message: one section of rows, each row's id sent back on reply."""
    return {
        "type": "list",
        "body": {"text": spec["body"][:1024]},
        "action": {"button": spec["button"], "sections": [{"rows": spec["rows"]}]},
    }


class WhatsAppChannel(Channel):
    kind = "whatsapp"

    def send(self, message: Message) -> None:
        if not settings.WHATSAPP_PHONE_NUMBER_ID or not settings.WHATSAPP_TOKEN:
            raise Retry("WhatsApp is not configured (HELPLINE_WHATSAPP_PHONE_NUMBER_ID, _TOKEN)")
        body = request_body(message, free_text=in_window(message.recipient))
        url = f"{settings.WHATSAPP_API_URL}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
        try:
            answer = http.post_json(
                url,
                json.dumps(body).encode(),
                headers={"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}"},
                timeout=TIMEOUT,
            )
        except http.AddressRefused as exc:
            raise Permanent(str(exc)) from None
        except http.HttpError as exc:
            raise Retry(str(exc)) from None
        if 200 <= answer.status < 300:
            return
        if answer.status in (408, 429) or answer.status >= 500:
            raise Retry(f"the Cloud API answered {answer.status}")
        raise Permanent(f"the Cloud API answered {answer.status}: {answer.body[:300]!r}")
