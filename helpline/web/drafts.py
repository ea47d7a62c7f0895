"""Held uploads: the files of a new ticket kept across the C1 "already reported?" step.

The step answers the form again instead of filing it; a browser cannot be given its files
back, so they are kept server-side, the owner's only, under unguessable tokens the form
carries in hidden fields (decision 0210). "Send anyway" takes them back and files them with
the ticket; the same files are never asked for twice, and nothing chosen is lost.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from helpline.accounts.models import User
from helpline.tickets import services as ticket_services
from helpline.tickets.attachments import (
    Refused,
    Upload,
    clean_filename,
    content_type_of,
    refused_type,
)
from helpline.tickets.models import Ticket
from helpline.web.models import HeldUpload

HELD_FOR = timedelta(days=1)


@transaction.atomic
def uploads_hold(
    *, user: User, files: Sequence[Upload], now: datetime
) -> tuple[list[HeldUpload], list[Refused]]:
    """Keep ``files`` for ``user``, checked as filing them would check them (type, size, how
    many a message), so a hold never keeps what the ticket would refuse; the refused come back
    with their reason for the page to say. Leftovers older than HELD_FOR go at the same time."""
    HeldUpload.objects.filter(user=user, created_at__lt=now - HELD_FOR).delete()
    limit, room = settings.ATTACHMENT_MAX_BYTES, settings.ATTACHMENT_MAX_COUNT
    room -= HeldUpload.objects.filter(user=user).count()
    kept: list[HeldUpload] = []
    refused: list[Refused] = []
    for f in files:
        name, size = clean_filename(f.filename), len(f.data)
        why = refused_type(name, f.data)
        if why is None and size > limit:
            why = f"larger than {limit // (1024 * 1024)} MB"
        if why is None and len(kept) >= room:
            why = f"more than {settings.ATTACHMENT_MAX_COUNT} files in one message"
        if why is not None:
            refused.append(Refused(name, size, why))
            continue
        kept.append(
            HeldUpload.objects.create(
                token=secrets.token_urlsafe(32),
                user=user,
                filename=name,
                content_type=content_type_of(f.content_type),
                data=f.data,
                created_at=now,
            )
        )
    return kept, refused


def held_uploads(*, user: User, tokens: Sequence[str]) -> list[HeldUpload]:
    """The held files of ``user`` named by ``tokens`` (anyone else's token finds nothing)."""
    wanted = [t for t in tokens if t][:50]
    return list(HeldUpload.objects.filter(user=user, token__in=wanted).order_by("pk"))


def uploads_take(*, user: User, tokens: Sequence[str]) -> list[Upload]:
    """The held files as uploads, deleted from the hold (the caller files them in the same
    transaction, so a refusal leaves them held)."""
    rows = held_uploads(user=user, tokens=tokens)
    HeldUpload.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return [
        Upload(filename=r.filename, content_type=r.content_type, data=bytes(r.data)) for r in rows
    ]


def ticket_create_with_held(
    *, actor: User, tokens: Sequence[str], files: Sequence[Upload], **fields: Any
) -> Ticket:
    """File a new ticket with the files held by the C1 step and those sent now, in one
    transaction: a refusal rolls back and leaves the held files held."""
    with transaction.atomic():
        held = uploads_take(user=actor, tokens=tokens)
        return ticket_services.ticket_create(actor=actor, files=[*held, *files], **fields)
