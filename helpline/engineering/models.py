"""Internal developer tickets, linked to merchant tickets ("with engineering")."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DevTicket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"
        IN_PROGRESS = "in_progress"
        IN_REVIEW = "in_review"
        DONE = "done"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    eta = models.DateTimeField(null=True, blank=True)
    tickets = models.ManyToManyField("tickets.Ticket", related_name="dev_tickets", blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"DEV-{self.pk}"
