"""Signed links that let a merchant approve or decline a quote from the mail.

The token names the quote, the merchant user it was mailed to and when it stops working (the
quote's validity); it is signed with the installation's secret (``django.core.signing``, with a
salt of its own). A forged, altered or expired token does nothing: ``read`` raises a clear error.
The link opens a page; only the button on it decides (mail scanners follow links).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core import signing

from helpline.core.errors import Conflict, InvalidInput

SALT = "helpline.billing.quote-decision"
MAX_TOKEN = 1000


@dataclass(frozen=True)
class QuoteLink:
    quote_id: int
    user_id: int
    expires_at: datetime


def token(*, quote_id: int, user_id: int, expires_at: datetime) -> str:
    return signing.dumps({"q": quote_id, "u": user_id, "e": int(expires_at.timestamp())}, salt=SALT)


def url(*, quote_id: int, user_id: int, expires_at: datetime) -> str:
    raw = token(quote_id=quote_id, user_id=user_id, expires_at=expires_at)
    return f"{settings.BASE_URL}/quotes/decide/{raw}/"


def read(raw: str, *, now: datetime) -> QuoteLink:
    """The link's content, or InvalidInput (not one we made) / Conflict (expired)."""
    if not raw or len(raw) > MAX_TOKEN:
        raise InvalidInput("this link is not valid", code="link_invalid")
    try:
        data: Any = signing.loads(raw, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise InvalidInput("this link is not valid", code="link_invalid") from None
    if not (
        isinstance(data, dict)
        and all(isinstance(data.get(k), int) and not isinstance(data.get(k), bool) for k in "que")
    ):
        raise InvalidInput("this link is not valid", code="link_invalid")
    try:
        expires_at = datetime.fromtimestamp(data["e"], tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidInput("this link is not valid", code="link_invalid") from None
    if now >= expires_at:
        raise Conflict("this link has expired, and so has the quote", code="link_expired")
    return QuoteLink(quote_id=data["q"], user_id=data["u"], expires_at=expires_at)


def mail_lines(*, quote_id: int, user_id: int, expires_at: datetime) -> list[str]:
    """What the quote's mail to a merchant user adds: the link to decide."""
    return [
        "",
        "Approve or decline this quote (the link works until the quote expires):",
        url(quote_id=quote_id, user_id=user_id, expires_at=expires_at),
    ]
