"""Internal developer tickets, linked to merchant tickets ("with engineering")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

REFERENCE_PREFIX = "DEV-"


class DevTicket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        IN_REVIEW = "in_review", "In review"
        DONE = "done", "Done"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    eta = models.DateTimeField(null=True, blank=True)
    tickets = models.ManyToManyField("tickets.Ticket", related_name="dev_tickets", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # What was done, for the agent who tells the merchant (written when it is finished).
    resolution_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "-id"], name="devticket_status_id")]
        constraints = [
            models.CheckConstraint(
                name="devticket_status_valid",
                condition=Q(status__in=["open", "in_progress", "in_review", "done"]),
            ),
            models.CheckConstraint(
                name="devticket_done_iff_done_at",
                condition=Q(status="done", done_at__isnull=False)
                | (~Q(status="done") & Q(done_at__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk}"


class DevComment(models.Model):
    """One comment on a developer ticket, by an engineer or staff: the conversation of the fix
    (internal; the merchant sees the ticket's own messages)."""

    dev = models.ForeignKey(DevTicket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["dev", "id"], name="devcomment_dev_id")]

    def __str__(self) -> str:
        return f"comment {self.pk} on DEV-{self.dev_id}"
