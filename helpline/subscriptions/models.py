"""Status subscriptions (decision 0226): one address (mail) or number (WhatsApp) following the
platform (``store`` empty) or one store. A merchant's is confirmed at once (signed in); anyone
else's waits for the signed link mailed to them (double opt-in). Three bounces drop it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "Mail"
    WHATSAPP = "whatsapp", "WhatsApp"


class Subscription(models.Model):
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=320, help_text="Mail address or WhatsApp number")
    store = models.ForeignKey(
        "merchants.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    bounces = models.PositiveSmallIntegerField(default=0)
    dropped_at = models.DateTimeField(null=True, blank=True, help_text="Dropped after bounces")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"],
                condition=Q(store__isnull=True),
                name="subscription_platform_once",
            ),
            models.UniqueConstraint(
                fields=["channel", "address", "store"],
                condition=Q(store__isnull=False),
                name="subscription_store_once",
            ),
            models.CheckConstraint(
                name="subscription_channel_valid", condition=Q(channel__in=Channel.values)
            ),
        ]
        indexes = [
            # The fan-out's read: the live subscribers of the platform or of one store.
            models.Index(
                fields=["store", "id"],
                name="subscription_live",
                condition=Q(confirmed_at__isnull=False, dropped_at__isnull=True),
            ),
            models.Index(fields=["address"], name="subscription_address"),
        ]

    def __str__(self) -> str:
        what = f"store {self.store_id}" if self.store_id else "platform"
        return f"{self.channel} {self.address} ({what})"
