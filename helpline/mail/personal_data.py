"""Mail a person sent (issue 21, decision 0183), and the retention of raw mail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpline.mail.models import InboundMail


def known(email: str) -> bool:
    return InboundMail.objects.filter(from_address__iexact=email).exists()


def received(email: str) -> list[dict[str, Any]]:
    """What we kept of each mail from the address (the raw message itself while it is kept)."""
    return [
        {
            "id": m.pk,
            "message_id": m.message_id,
            "from": m.from_address,
            "subject": m.subject,
            "status": m.status,
            "ticket_id": m.ticket_id,
            "received_at": m.received_at,
            "raw_kept": m.raw is not None,
        }
        for m in InboundMail.objects.filter(from_address__iexact=email).order_by("pk")
    ]


def raw(mail_id: int) -> bytes | None:
    value = InboundMail.objects.filter(pk=mail_id).values_list("raw", flat=True).first()
    return bytes(value) if value is not None else None


def erase(*, email: str, pseudonym: str, scrub: Callable[[str], str]) -> int:
    """The raw mail and its HTML are dropped; the record of what became of it stays, from the
    pseudonym, its subject scrubbed."""
    count = 0
    for m in InboundMail.objects.filter(from_address__iexact=email):
        m.raw, m.html = None, ""
        m.from_address = f"{pseudonym}@erased.invalid"
        m.subject = scrub(m.subject)[:300]
        m.save(update_fields=["raw", "html", "from_address", "subject"])
        count += 1
    return count
