"""The daily digest: one mail naming every notification a person chose to receive that way.

Rows are written with ``channel="digest"`` and ``due_at`` = the person's next digest time (by
``notifications.rules``). When the first of them falls due, this channel gathers every digest row
of that recipient written before then, sends one mail by the email channel, and marks the others
done ("in digest N"). A row already folded into another digest sends nothing.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import Q

from helpline.core import clock
from helpline.outbox.channels.base import Channel, Message
from helpline.outbox.channels.email import EmailChannel
from helpline.outbox.models import Outbox, State


class DigestChannel(Channel):
    kind = "digest"

    def __init__(self) -> None:
        self.email = EmailChannel()

    def send(self, message: Message) -> None:
        if not Outbox.objects.filter(pk=message.pk, state=State.SENDING).exists():
            return  # already sent in another digest
        rows = list(
            Outbox.objects.filter(
                Q(state=State.PENDING) | Q(state=State.SENDING),
                channel=self.kind,
                recipient=message.recipient,
                created_at__lte=clock.now(),
            )
            .exclude(pk=message.pk)
            .order_by("created_at", "pk")[:200]
        )
        items = [message, *rows]
        lines = [f"Helpline: {len(items)} update(s) since your last digest", ""]
        for item in items:
            lines.append(f"• {item.payload['subject']}")
        lines += ["", "— Helpline (this message was sent automatically)"]
        self.email.send(
            SimpleNamespace(
                pk=message.pk,
                channel="email",
                kind="digest",
                recipient=message.recipient,
                payload={
                    "subject": f"Helpline digest: {len(items)} update(s)",
                    "body": "\n".join(lines),
                    "message_id": message.payload["message_id"].replace("<hl.", "<hl.digest.", 1),
                },
                idempotency_key=f"digest.{message.idempotency_key}",
                attempts=message.attempts,
            )
        )
        Outbox.objects.filter(pk__in=[r.pk for r in rows]).exclude(state=State.DONE).update(
            state=State.DONE,
            done_at=clock.now(),
            claimed_until=None,
            last_error=f"sent in digest {message.pk}",
        )
