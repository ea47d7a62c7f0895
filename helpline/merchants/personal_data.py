"""A person as a merchant's contact address (issue 21, decision 0183)."""

from __future__ import annotations

from typing import Any

from helpline.merchants.models import Contact


def known(email: str) -> bool:
    return Contact.objects.filter(email__iexact=email).exists()


def contacts(email: str) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "merchant_id": c.merchant_id,
            "email": c.email,
            "name": c.name,
            "created_at": c.created_at,
        }
        for c in Contact.objects.filter(email__iexact=email).order_by("pk")
    ]


def contact_names(email: str) -> list[str]:
    return [
        n for n in Contact.objects.filter(email__iexact=email).values_list("name", flat=True) if n
    ]


def erase(*, email: str, pseudonym: str) -> int:
    """The contact row stays (mail threading and the merchant's list), named by the pseudonym."""
    count = 0
    for contact in Contact.objects.filter(email__iexact=email):
        contact.email = f"{pseudonym}@erased.invalid"
        contact.name = ""
        contact.save(update_fields=["email", "name"])
        count += 1
    return count
