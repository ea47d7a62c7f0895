"""Email through Django's mail (SMTP settings from HELPLINE_EMAIL_URL).

Payload: ``{"subject", "body", "message_id"}`` (+ optional ``"references"``, and
``"attachments"``: ``[{"filename", "content", "mimetype"}]`` with text content, e.g. an
``.ics`` invitation). The Message-ID is
made when the row is written, so a repeat carries the same one (mail clients drop it); every
mail says ``Auto-Submitted: auto-generated`` (RFC 3834: no auto-replies to it).
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from helpline.notify.channels.base import Channel, Message, Permanent, Retry


class EmailChannel(Channel):
    kind = "email"

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def session(self) -> Iterator[None]:
        self._local.connection = get_connection(fail_silently=False)
        try:
            yield
        finally:
            connection, self._local.connection = self._local.connection, None
            with contextlib.suppress(Exception):  # closing a broken connection
                connection.close()

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            return get_connection(fail_silently=False)
        if getattr(connection, "connection", True) is None:
            # Open it ourselves: a backend that opens it inside send_messages also closes it
            # after that one message (one SMTP session per mail, ~2× slower).
            connection.open()
        return connection

    def send(self, message: Message) -> None:
        payload = message.payload
        headers = {
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Message-ID": payload["message_id"],
            "X-Helpline-Idempotency-Key": message.idempotency_key,
        }
        if payload.get("references"):
            headers["In-Reply-To"] = payload["references"]
            headers["References"] = payload["references"]
        try:
            mail = EmailMessage(
                subject=payload["subject"],
                body=payload["body"],
                from_email=settings.SUPPORT_ADDRESS,
                to=[message.recipient],
                headers=headers,
                connection=self._connection(),
            )
            for item in payload.get("attachments") or []:
                mail.attach(item["filename"], item["content"], item.get("mimetype"))
            sent = mail.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise Permanent(f"recipient refused: {exc.recipients}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._reset()
            raise Retry(f"{type(exc).__name__}: {exc}") from None
        if sent != 1:
            raise Retry("the mail server did not take the message")

    def _reset(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            with contextlib.suppress(Exception):  # it is broken already
                connection.close()
            connection.connection = None
