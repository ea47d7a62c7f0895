"""Account management: call requests, the contact log, "tell the merchant" tasks and the account
manager's notes on the progress sheet.

These models were born in ``merchants`` and moved here without touching their tables: each keeps
its ``merchants_*`` table name (``db_table``), so moving them changed Django's state only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from helpline.core import display


class CallRequest(models.Model):
    """A merchant asks their store's account manager for a call or meeting."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SCHEDULED = "scheduled", "Scheduled"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    store = models.ForeignKey("merchants.Store", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    preferred_times = models.TextField(help_text="When the merchant would like the call")
    topic = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    entry = models.ForeignKey(
        "ContactLogEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The call or meeting logged for it",
    )

    class Meta:
        db_table = "merchants_callrequest"
        indexes = [models.Index(fields=["store", "status", "-id"], name="callreq_store_status")]
        constraints = [
            models.CheckConstraint(
                name="callreq_status_valid",
                condition=Q(status__in=["open", "scheduled", "done", "cancelled"]),
            )
        ]

    def __str__(self) -> str:
        return f"call request {self.pk} for store {self.store_id}"


class ContactLogEntry(models.Model):
    """One call, email, WhatsApp message, meeting or training session with the merchant."""

    class Channel(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        WHATSAPP = "whatsapp", "WhatsApp"
        MEETING = "meeting", "Meeting"
        TRAINING = "training", "Training session"

    store = models.ForeignKey("merchants.Store", on_delete=models.CASCADE, related_name="+")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    happened_at = models.DateTimeField(help_text="When it happened (a meeting: when it starts)")
    summary = models.TextField()
    tickets = models.ManyToManyField("tickets.Ticket", related_name="+", blank=True)
    # Sent from Helpline (through the outbox) rather than logged after the fact.
    sent = models.BooleanField(default=False)
    recipients = models.JSONField(default=list, blank=True)
    # Meetings and training sessions.
    ends_at = models.DateTimeField(null=True, blank=True)
    link = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "merchants_contactlogentry"
        verbose_name_plural = "contact log entries"
        indexes = [models.Index(fields=["store", "-happened_at"], name="contact_store_when")]
        constraints = [
            models.CheckConstraint(
                name="contact_channel_valid",
                condition=Q(channel__in=["call", "email", "whatsapp", "meeting", "training"]),
            ),
            models.CheckConstraint(
                name="contact_meeting_has_end",
                condition=~Q(channel__in=["meeting", "training"]) | Q(ends_at__gt=F("happened_at")),
            ),
        ]

    def __str__(self) -> str:
        at = display.when(self.happened_at, display.here())
        return f"{self.channel} with store {self.store_id} at {at}"


class AmTask(models.Model):
    """Something the account manager must do: "tell the merchant" when engineering is done on
    a ticket; closed by logging the contact that did it."""

    class Kind(models.TextChoices):
        TELL_MERCHANT = "tell_merchant", "Tell the merchant"

    store = models.ForeignKey("merchants.Store", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry = models.ForeignKey(
        ContactLogEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "merchants_amtask"
        indexes = [models.Index(fields=["store", "done_at"], name="amtask_store_done")]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=Q(done_at__isnull=True),
                name="amtask_one_open_per_ticket_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SheetNote(models.Model):
    """The account manager's own note on one row (ticket) of a store's progress sheet."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sheet_note"
    )
    note = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "merchants_sheetnote"

    def __str__(self) -> str:
        return f"note on ticket {self.ticket_id}"


class SupportRequest(models.Model):
    """A merchant asks for account-manager support for one store (an add-on). Pending until an
    admin assigns an account manager to the store; one pending request a store."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ASSIGNED = "assigned", "Account manager assigned"

    store = models.ForeignKey("merchants.Store", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store"], condition=Q(status="pending"), name="amreq_one_pending_per_store"
            ),
            models.CheckConstraint(
                name="amreq_status_valid", condition=Q(status__in=["pending", "assigned"])
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="amreq_status_created")]

    def __str__(self) -> str:
        return f"account-manager support request {self.pk} for store {self.store_id}"
