"""Every write of the status subscriptions (decision 0226).

- ``subscribe_user``: a signed-in person follows the platform or one of their stores, by mail
  or WhatsApp, confirmed at once (one click).
- ``subscribe_request`` / ``subscribe_confirm``: anyone follows the platform by mail after
  confirming the signed link mailed to them (double opt-in). A link used twice confirms once;
  a tampered or expired one is refused with the reason.
- ``unsubscribe``: the signed one-click link (RFC 8058); a link of another address is refused.
- ``status_fanout``: monitoring's status listener: one outbox row per live subscriber, written
  in a few bulk INSERTs (not one per subscriber) inside the change's transaction, keyed by the
  change and the subscriber, due at once.
- ``bounces_count``: mail's bounce listener: an address that bounced ``STATUS_BOUNCES_DROP``
  times is dropped (kept, marked, never mailed again until it subscribes again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from helpline.accounts.models import User
from helpline.core import clock
from helpline.core.errors import Forbidden, InvalidInput, NotFound
from helpline.core.zones import zone_or_default
from helpline.mail.listeners import Bounced
from helpline.merchants import selectors as merchant_selectors
from helpline.monitoring.listeners import StatusChange
from helpline.outbox import services as outbox
from helpline.outbox.channels.email import payload as email_payload
from helpline.subscriptions import links, words
from helpline.subscriptions.models import Channel, Subscription

FANOUT_CHUNK = 1000


@dataclass(frozen=True)
class Confirmed:
    subscription: Subscription
    fresh: bool  # False: it was confirmed before (the link was used twice)


def _address_for(user: User, channel: str) -> str:
    if channel == Channel.EMAIL:
        return user.email
    if channel == Channel.WHATSAPP:
        if not user.whatsapp:
            raise InvalidInput(_("add a WhatsApp number to your profile first"), code="no_number")
        return user.whatsapp
    raise InvalidInput(_("choose mail or WhatsApp"), code="invalid_channel")


def subscribe_user(
    *, user: User, store_id: int | None, channel: str, now: datetime | None = None
) -> Subscription:
    """Follow the platform (``store_id`` None) or a store the user may see (else NotFound)."""
    now = now or clock.now()
    address = _address_for(user, channel)
    if store_id is not None:
        merchant_selectors.store_get(user=user, store_id=store_id)
    with transaction.atomic():
        row = Subscription.objects.filter(channel=channel, address=address)
        row = row.filter(store_id=store_id) if store_id is not None else row.filter(store=None)
        found = row.select_for_update().first()
        if found is not None:
            if found.confirmed_at is None or found.dropped_at is not None:
                found.confirmed_at, found.dropped_at, found.bounces = now, None, 0
                found.save(update_fields=["confirmed_at", "dropped_at", "bounces"])
            return found
        return Subscription.objects.create(
            channel=channel,
            address=address,
            store_id=store_id,
            user=user,
            created_at=now,
            confirmed_at=now,
        )


def subscribe_request(*, address: str, now: datetime | None = None) -> None:
    """Anyone asks for the platform's updates by mail: the confirmation link is mailed (at most
    once an hour per address); nothing is sent to them before they confirm. The answer is the
    same whether the address was known or not."""
    now = now or clock.now()
    address = (address or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput(_("enter a valid mail address"), code="invalid_address") from None
    with transaction.atomic():
        found = Subscription.objects.filter(
            channel=Channel.EMAIL, address=address, store__isnull=True
        ).first()
        if found is None:
            try:
                with transaction.atomic():
                    found = Subscription.objects.create(
                        channel=Channel.EMAIL, address=address, created_at=now
                    )
            except IntegrityError:  # asked twice at once: the other request wrote it
                return
        elif found.confirmed_at is not None and found.dropped_at is None:
            return  # already following: no mail
        subject, body = words.confirmation(links.confirm_url(found.pk, address))
        outbox.enqueue(
            channel="email",
            kind="status_confirm",
            recipient=address,
            payload=email_payload.plain(subject=subject, body=body),
            idempotency_key=f"status.confirm.s{found.pk}.{now:%Y%m%d%H}",
            now=now,
        )


def subscribe_confirm(*, token: str, now: datetime | None = None) -> Confirmed:
    """The double opt-in's link. Refused (InvalidInput) when tampered, expired or no longer
    matching a subscription; used twice, it confirms once."""
    now = now or clock.now()
    try:
        pk, address = links.confirm_read(token)
    except signing.SignatureExpired:
        raise InvalidInput(_("this link has expired; subscribe again"), code="expired") from None
    except signing.BadSignature:
        raise InvalidInput(_("this link is not valid"), code="tampered") from None
    with transaction.atomic():
        found = Subscription.objects.select_for_update().filter(pk=pk, address=address).first()
        if found is None:
            raise InvalidInput(_("this subscription no longer exists"), code="gone")
        if found.confirmed_at is not None and found.dropped_at is None:
            return Confirmed(found, fresh=False)
        found.confirmed_at, found.dropped_at, found.bounces = now, None, 0
        found.save(update_fields=["confirmed_at", "dropped_at", "bounces"])
        return Confirmed(found, fresh=True)


def unsubscribe(*, subscription_id: int, signature: str) -> bool:
    """One click stops the updates (True; False: nothing left to stop). A signature made for
    another address or subscription is refused (Forbidden), nothing is changed."""
    with transaction.atomic():
        found = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if found is None:
            return False
        if not links.unsubscribe_valid(found.pk, found.address, signature):
            raise Forbidden(_("this link does not belong to this subscription"))
        found.delete()
    return True


def unsubscribe_mine(*, user: User, subscription_id: int) -> None:
    """A signed-in person stops one of their own subscriptions (another's is NotFound)."""
    deleted, _rows = Subscription.objects.filter(pk=subscription_id, user=user).delete()
    if not deleted:
        raise NotFound("no such subscription")


def _live(store_id: int | None) -> list[tuple[int, str, str, str | None]]:
    rows = Subscription.objects.filter(confirmed_at__isnull=False, dropped_at__isnull=True)
    rows = rows.filter(store_id=store_id) if store_id else rows.filter(store__isnull=True)
    fields = ("pk", "channel", "address", "user__time_zone")
    return list(rows.order_by("pk").values_list(*fields))  # one read


def _notice(
    change: StatusChange, row: tuple[int, str, str, str | None], words_of: words.Notice, text: str
) -> outbox.Notification:
    pk, channel, address, _zone = row
    unsubscribe_link = links.unsubscribe_url(pk, address)
    if channel == Channel.EMAIL:
        payload = words_of.email(unsubscribe_link)
    else:
        payload = words_of.whatsapp(text, unsubscribe_link)
    return outbox.Notification(
        channel=channel,
        kind=f"status_{change.kind}",
        recipient=address,
        payload=payload,
        idempotency_key=f"status.{change.key}.s{pk}",
        due_at=change.now,
    )


def status_fanout(change: StatusChange) -> int:
    """One outbox row per live subscriber of the platform or of the change's store, written in
    blocks of ``FANOUT_CHUNK`` (the outbox's bulk INSERTs); returns how many. The words are
    built once per reader's zone."""
    said: dict[str, tuple[words.Notice, str]] = {}
    chunk: list[outbox.Notification] = []
    written = 0
    status = links.status_url()
    for row in _live(change.store_id):
        zone_name = row[3] or ""
        if zone_name not in said:
            text = words.text(change, zone_or_default(zone_name or None))
            said[zone_name] = (words.notice(change, text, status=status), text)
        chunk.append(_notice(change, row, *said[zone_name]))
        if len(chunk) >= FANOUT_CHUNK:
            written += outbox.enqueue_many(chunk, now=change.now)
            chunk = []
    return written + outbox.enqueue_many(chunk, now=change.now)


def bounces_count(bounce: Bounced) -> int:
    """Count a bounce against every mail subscription of the addresses it names; drop those
    that reached the limit. Returns how many were dropped now."""
    addresses = [a.lower() for a in bounce.addresses]
    live = Subscription.objects.filter(
        channel=Channel.EMAIL, address__in=addresses, dropped_at__isnull=True
    )
    live.update(bounces=F("bounces") + 1)
    return live.filter(bounces__gte=settings.STATUS_BOUNCES_DROP).update(dropped_at=bounce.now)
