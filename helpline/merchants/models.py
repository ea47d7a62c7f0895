"""Merchants and their stores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Merchant(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    time_zone = models.CharField(max_length=64, default="Asia/Kolkata")
    language = models.CharField(
        max_length=8, default="en", help_text="The language the merchant is served in"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_stores",
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "name"], name="store_name_unique_per_merchant"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """An extra address an admin adds for a merchant (the merchant's users are contacts too,
    by their login address). Mail from a contact goes to their merchant, to the default store
    if one is named."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="contacts")
    email = models.EmailField(unique=True, help_text="Lower case; one merchant per address")
    name = models.CharField(max_length=200, blank=True)
    default_store = models.ForeignKey(
        Store, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(name="contact_email_lower", condition=Q(email=Lower("email")))
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.merchant})"


__all__ = ["Contact", "Merchant", "Store"]
