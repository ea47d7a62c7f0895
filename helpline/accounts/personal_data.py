"""A person's account (issue 21, decision 0183): what an export holds, what erasure changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from helpline.accounts import services
from helpline.accounts.models import ApiToken, User


def find(person: str) -> User | None:
    """The account named by its id or its e-mail address (any case)."""
    text = person.strip()
    if text.isdigit():
        return User.objects.filter(pk=int(text)).first()
    return User.objects.filter(email__iexact=text).first()


def profile(user: User) -> dict[str, Any]:
    tokens = ApiToken.objects.filter(user=user).order_by("pk")
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "merchant_id": user.merchant_id,
        "phone": user.phone,
        "whatsapp": user.whatsapp,
        "time_zone": user.time_zone,
        "active": user.is_active,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in tokens
        ],
    }


def identifiers(user: User) -> list[str]:
    """What names this person in text: address, names, phone numbers."""
    values = [user.email, user.first_name, user.last_name, user.get_full_name()]
    return [v for v in (*values, user.phone, user.whatsapp) if v]


def erase(*, user: User, pseudonym: str, now: datetime) -> User:
    """The account keeps its id (tickets, events and the ledger point at it) and loses
    everything that names the person; it can no longer sign in; its tokens are revoked."""
    with transaction.atomic():
        for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
            services.token_revoke(token=token, now=now)
        user.email = f"{pseudonym}@erased.invalid"
        user.first_name, user.last_name = pseudonym, ""
        user.phone = user.whatsapp = user.time_zone = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    return user
