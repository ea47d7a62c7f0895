"""People as the admin's personal-data page lists them (a proxy of the account: no table)."""

from __future__ import annotations

from helpline.accounts.models import User


class Person(User):
    class Meta:
        proxy = True
        verbose_name = "person (personal data)"
        verbose_name_plural = "people (personal data)"
