"""Cost quotes the merchant approves before paid work starts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Quote(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        DECLINED = "declined"
        EXPIRED = "expired"

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="quotes")
    amount_inr = models.DecimalField(max_digits=12, decimal_places=2)
    gst_percent = models.DecimalField(max_digits=5, decimal_places=2, default=18)
    description = models.TextField()
    valid_until = models.DateTimeField(db_index=True)
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

    class Meta:
        constraints = [
            models.CheckConstraint(name="quote_amount_positive", condition=Q(amount_inr__gt=0)),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status="pending"),
                name="quote_one_pending_per_ticket",
            ),
        ]

    def __str__(self) -> str:
        return f"INR {self.amount_inr} ({self.status})"
