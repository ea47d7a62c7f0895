"""Cost quotes the merchant approves before paid work starts; account-manager subscriptions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from helpline.core import display


def gst_on(amount: Decimal, percent: Decimal) -> Decimal:
    """The GST on ``amount`` at ``percent``, to the paisa (what the merchant is billed on top)."""
    return (amount * percent / 100).quantize(Decimal("0.01"))


class Quote(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        DECLINED = "declined"
        EXPIRED = "expired"

    class Via(models.TextChoices):
        PORTAL = "portal", "Support center"
        EMAIL_LINK = "email_link", "Signed link in the mail"
        API = "api", "API"
        SYSTEM = "system", "Helpline (expiry)"

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="quotes")
    amount_inr = models.DecimalField(max_digits=12, decimal_places=2)
    gst_percent = models.DecimalField(max_digits=5, decimal_places=2, default=18)
    description = models.TextField()
    valid_until = models.DateTimeField(db_index=True)
    # The due date that follows from the quote's scope; approving accepts it with the cost
    # (none: the policy's resolution deadline laid out from the approval; decision 0096).
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # From where the decision came: the door and the client's address (None: not over HTTP).
    decided_via = models.CharField(max_length=12, choices=Via.choices, blank=True)
    decided_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="quote_amount_positive", condition=Q(amount_inr__gt=0)),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status="pending"),
                name="quote_one_pending_per_ticket",
            ),
        ]
        indexes = [models.Index(fields=["status", "decided_at"], name="quote_status_decided")]

    def __str__(self) -> str:
        return f"{display.money(self.amount_inr)} ({self.status})"

    @property
    def gst_inr(self) -> Decimal:
        return gst_on(self.amount_inr, self.gst_percent)

    @property
    def total_inr(self) -> Decimal:
        return self.amount_inr + self.gst_inr


class Subscription(models.Model):
    """Account-manager support, an add-on per store: it runs while the store has an account
    manager, from the day one is assigned (``starts_on``, the merchant's local date) to the day
    the store is left without one (``ends_on``, inclusive; None: still running), and is charged
    by the day for a part month (``ledger``). Helpline records; the platform bills."""

    store = models.ForeignKey(
        "merchants.Store", on_delete=models.PROTECT, related_name="subscriptions"
    )
    monthly_charge_inr = models.DecimalField(max_digits=12, decimal_places=2)
    gst_percent = models.DecimalField(max_digits=5, decimal_places=2, default=18)
    starts_on = models.DateField(help_text="The first day charged (the merchant's date)")
    ends_on = models.DateField(null=True, blank=True, help_text="The last day charged")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="subscription_charge_positive", condition=Q(monthly_charge_inr__gt=0)
            ),
            models.CheckConstraint(
                name="subscription_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
            ),
            models.UniqueConstraint(
                fields=["store"],
                condition=Q(ends_on__isnull=True),
                name="subscription_one_running_per_store",
            ),
        ]

    def __str__(self) -> str:
        return f"AM support for {self.store_id}: {display.money(self.monthly_charge_inr)}/month"
