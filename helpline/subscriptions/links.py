"""The signed links of a subscription (decision 0226): the double opt-in's confirmation (a
signed, timed token naming the subscription and its address) and the one-click unsubscribe
(an HMAC of the subscription and its address: valid for that address only, never expiring,
as RFC 8058 wants a link that works as long as the mail can be read)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

CONFIRM_SALT = "helpline.status.confirm"
UNSUBSCRIBE_SALT = "helpline.status.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def _base() -> str:
    return settings.BASE_URL.rstrip("/")


def confirm_token(pk: int, address: str) -> str:
    return signing.dumps({"s": pk, "a": address}, salt=CONFIRM_SALT)


def confirm_read(token: str) -> tuple[int, str]:
    """(subscription id, address); ``signing.BadSignature`` (tampered) or its subclass
    ``SignatureExpired`` when the link cannot be trusted."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise signing.BadSignature("not a confirmation")
    return data["s"], str(data.get("a", ""))


def confirm_url(pk: int, address: str) -> str:
    return f"{_base()}/status/confirm/{confirm_token(pk, address)}/"


_unsubscribe = signing.Signer(salt=UNSUBSCRIBE_SALT)


def unsubscribe_signature(pk: int, address: str) -> str:
    return _unsubscribe.signature(f"{pk}|{address}")


def unsubscribe_valid(pk: int, address: str, signature: str) -> bool:
    return constant_time_compare(unsubscribe_signature(pk, address), signature)


def unsubscribe_url(pk: int, address: str) -> str:
    return f"{_base()}/status/unsubscribe/{pk}/{unsubscribe_signature(pk, address)}/"


def status_url() -> str:
    return f"{_base()}/status/"
