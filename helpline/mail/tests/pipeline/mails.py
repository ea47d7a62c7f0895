"""Real-shaped messages for the pipeline's tests (built, not mocked: they go through parse())."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

TRUSTED_MTA = "mx.helpline.test"  # helpline/conftest.py names it in MAIL_AUTHSERV_IDS


def mail(
    *,
    sender: str = "alice@acme.test",
    subject: str = "Checkout button does nothing",
    body: str = "Hello,\n\nthe checkout button on our store does nothing since this morning.\n",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    to: str = "support@helpline.test",
    date: datetime | None = None,
    authenticated: bool = True,
) -> bytes:
    """``authenticated``: as our MTA (``TRUSTED_MTA``, trusted in every test) hands it over
    after checking the sender: with its ``Authentication-Results: … dmarc=pass`` on top."""
    msg = EmailMessage()
    if authenticated:
        domain = sender.rsplit("@", 1)[-1].strip(">").lower()
        msg["Authentication-Results"] = f"{TRUSTED_MTA}; dmarc=pass header.from={domain}"
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2026, 11, 25, 5, 0, tzinfo=UTC))
    msg["Message-ID"] = message_id or make_msgid(domain="mua.test")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(msg)


def reply_to(
    original: Any, *, sender: str, body: str, subject: str | None = None, **kw: Any
) -> bytes:
    """A Gmail-shaped reply to a received mail (an ``email.message.EmailMessage``)."""
    quoted = "\n".join(
        "> " + line for line in original.get_body(("plain",)).get_content().splitlines()
    )
    mid = original["Message-ID"]
    refs = " ".join(x for x in (original.get("References", ""), mid) if x)
    return mail(
        sender=sender,
        subject=subject or f"Re: {original['Subject']}",
        body=f"{body}\n\nOn Wed, 25 Nov 2026 at 10:40, Support wrote:\n{quoted}\n",
        in_reply_to=mid,
        references=refs,
        **kw,
    )
