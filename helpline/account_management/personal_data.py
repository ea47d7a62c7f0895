"""A person in the account managers' contact log (issue 21, decision 0183)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpline.account_management.models import ContactLogEntry


def _about(email: str, user_id: int | None) -> list[ContactLogEntry]:
    rows = ContactLogEntry.objects.order_by("pk")
    found = [e for e in rows.filter(author_id=user_id)] if user_id is not None else []
    lowered = email.lower()
    # ``recipients`` is a JSON list: filtered here, not in SQL (the same on both engines).
    for e in rows.exclude(recipients=[]).iterator():
        if any(str(r).lower() == lowered for r in e.recipients or []) and e not in found:
            found.append(e)
    return found


def contact_log(email: str, user_id: int | None) -> list[dict[str, Any]]:
    return [
        {
            "id": e.pk,
            "store_id": e.store_id,
            "channel": e.channel,
            "happened_at": e.happened_at,
            "summary": e.summary,
            "recipients": e.recipients,
            "by_this_person": e.author_id == user_id if user_id is not None else False,
        }
        for e in _about(email, user_id)
    ]


def erase(*, email: str, user_id: int | None, pseudonym: str, scrub: Callable[[str], str]) -> int:
    count = 0
    lowered = email.lower()
    for e in _about(email, user_id):
        e.recipients = [
            f"{pseudonym}@erased.invalid" if str(r).lower() == lowered else r
            for r in e.recipients or []
        ]
        e.summary = scrub(e.summary)
        e.save(update_fields=["recipients", "summary"])
        count += 1
    return count
