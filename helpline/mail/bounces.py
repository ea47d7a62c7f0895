"""Which addresses a bounce says failed: the delivery-status report of RFC 3464
(``Final-Recipient`` with ``Action: failed``) and the ``X-Failed-Recipients`` header Exim and
Gmail add. Untrusted input: whatever cannot be read yields no address, never an exception."""

from __future__ import annotations

import email
import email.policy
from email.message import Message
from email.utils import getaddresses

MAX_ADDRESSES = 50


def _clean(address: str) -> str:
    address = address.strip().strip("<>").strip().lower()
    if "@" not in address or len(address) > 320 or any(c.isspace() for c in address):
        return ""
    return address


def _from_report(part: Message) -> list[str]:
    """The failed recipients of one ``message/delivery-status`` part (its per-recipient
    blocks are parsed by the stdlib as sub-messages of headers)."""
    found = []
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    for block in blocks:
        if not isinstance(block, Message):
            continue
        action = str(block.get("Action", "")).strip().lower()
        final = str(block.get("Final-Recipient", "") or block.get("Original-Recipient", ""))
        if action == "failed" and ";" in final:
            found.append(_clean(final.split(";", 1)[1]))
    return found


def failed_recipients(raw: bytes) -> list[str]:
    """The addresses that failed permanently, each once, in the order given (at most 50)."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        found = [_clean(a) for _, a in getaddresses(message.get_all("X-Failed-Recipients", []))]
        for part in message.walk():
            if part.get_content_type() == "message/delivery-status":
                found += _from_report(part)
    except Exception:
        return []
    return list(dict.fromkeys(a for a in found if a))[:MAX_ADDRESSES]
