"""Email through Django's mail (SMTP settings from HELPLINE_EMAIL_URL).

Payload: ``{"subject", "body", "message_id"}`` (+ optional ``"references"``, ``"in_reply_to"``,
``"html"`` — a second part — ``"auto_submitted"`` and ``"list_unsubscribe"``: the signed
one-click unsubscribe URL, sent as ``List-Unsubscribe`` and ``List-Unsubscribe-Post``). The
Message-ID is made when the row is written, so a repeat carries the same one (mail clients
drop it); a mail says ``Auto-Submitted: auto-generated`` (RFC 3834: no auto-replies to it)
unless the payload says otherwise (``auto-replied`` for an acknowledgement, empty for a
person's reply). Optional
``"attachments"``: ``[{"filename", "content", "mimetype"}]`` with text content, e.g. an ``.ics``
invitation.
"""

from __future__ import annotations

import contextlib
import functools
import re
import smtplib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from helpline.outbox.channels.base import Channel, Message, Permanent, Retry, Unreachable


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
        self.send_when_ready(message, ready=_nothing)

    def send_when_ready(self, message: Message, *, ready: Callable[[], None]) -> None:
        """On SMTP, ``ready()`` runs after the server answered DATA with 354 and before the
        message and its final dot (where the server accepts it) are sent: the envelope's round
        trips overlap the worker's mark of the previous row."""
        payload = message.payload
        auto = payload.get("auto_submitted", "auto-generated")
        headers = {
            "X-Auto-Response-Suppress": "All",
            "Message-ID": payload["message_id"],
            "X-Helpline-Idempotency-Key": message.idempotency_key,
        }
        if auto:
            headers["Auto-Submitted"] = auto
        if payload.get("list_unsubscribe"):
            # RFC 2369 + RFC 8058: the mail client's one-click unsubscribe (a POST to the link).
            headers["List-Unsubscribe"] = f"<{payload['list_unsubscribe']}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        if payload.get("references"):
            headers["References"] = payload["references"]
        in_reply_to = payload.get("in_reply_to", payload.get("references"))
        if in_reply_to:
            headers["In-Reply-To"] = in_reply_to
        try:
            connection = self._connection()
        except (smtplib.SMTPException, OSError) as exc:  # before any message: nothing went out
            self._reset()
            raise Unreachable(f"{type(exc).__name__}: {exc}") from None
        try:
            mail = EmailMultiAlternatives(
                subject=payload["subject"],
                body=payload["body"],
                from_email=settings.SUPPORT_ADDRESS,
                to=[message.recipient],
                headers=headers,
                connection=connection,
            )
            if payload.get("html"):
                mail.attach_alternative(payload["html"], "text/html")
            for item in payload.get("attachments") or []:
                mail.attach(item["filename"], item["content"], item.get("mimetype"))
            smtp = getattr(mail.connection, "connection", None)
            if isinstance(smtp, smtplib.SMTP):
                smtp.data = functools.partial(_data_when_ready, smtp, ready=ready)  # type: ignore[method-assign]
            else:  # another backend (files, memory): it accepts inside send
                ready()
            try:
                sent = mail.send(fail_silently=False)
            finally:
                if isinstance(smtp, smtplib.SMTP):
                    del smtp.data
        except smtplib.SMTPRecipientsRefused as exc:
            raise Permanent(f"recipient refused: {exc.recipients}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._reset()
            raise Retry(f"{type(exc).__name__}: {exc}") from None
        except BaseException:  # ready() failed (the previous mark): the session is mid-DATA
            self._reset()
            raise
        if sent != 1:
            raise Retry("the mail server did not take the message")

    def _reset(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            with contextlib.suppress(Exception):  # it is broken already
                connection.close()
            connection.connection = None


def _nothing() -> None:
    return None


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _data_when_ready(
    smtp: smtplib.SMTP, msg: Any, *, ready: Callable[[], None]
) -> tuple[int, bytes]:
    """``smtplib.SMTP.data`` with ``ready()`` between the server's 354 and the message."""
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    ready()
    if isinstance(msg, str):
        msg = re.sub(r"(?:\r\n|\n|\r(?!\n))", "\r\n", msg).encode("ascii")
    data = _LEADING_DOT.sub(b"..", bytes(msg))  # dot-stuffing, as smtplib does
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    smtp.send(data + b".\r\n")
    return smtp.getreply()
