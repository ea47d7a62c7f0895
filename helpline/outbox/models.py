"""The outbox (notifications waiting to go out), webhook endpoints and WhatsApp windows."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from helpline.core import display


class State(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"  # claimed by a worker until claimed_until
    DONE = "done", "Done"
    DEAD = "dead", "Dead letter"


class Priority(models.IntegerChoices):
    """Which due rows a worker takes first (decision 0190): someone waiting on the other end
    of what they just did (a merchant's acknowledgement, the on-call's page) before the bulk
    (the stores' notices, the updates of a storm)."""

    URGENT = 0, "Urgent"
    NORMAL = 1, "Normal"


class Outbox(models.Model):
    """One notification to one recipient on one channel, written in the same transaction as the
    change that caused it and delivered after commit by a worker.

    The worker's queue is the partial index on (``priority``, ``due_at``) over pending and
    sending rows: a pending row is due at ``due_at``; a claimed (sending) row carries ``due_at =
    claimed_until``, so a row whose worker died is due again when its lease runs out. Due urgent
    rows are claimed before due normal ones.
    """

    channel = models.CharField(max_length=32)
    kind = models.CharField(max_length=40, help_text="What happened (the ticket event's kind …)")
    recipient = models.CharField(max_length=500, help_text="Address, phone number or endpoint")
    recipient_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(  # served by outbox_ticket_id (decision 0080)
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    payload = models.JSONField()
    idempotency_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField()
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbox notification"
        indexes = [
            models.Index(
                fields=["due_at"],
                name="outbox_due",
                condition=Q(state__in=["pending", "sending"]),
            ),
            models.Index(
                fields=["priority", "due_at"],
                name="outbox_due_first",
                condition=Q(state__in=["pending", "sending"]),
            ),
            models.Index(fields=["state", "-id"], name="outbox_state_id"),
            models.Index(fields=["ticket", "id"], name="outbox_ticket_id"),
            # The SLA notices delivered, counted at every metrics scrape (helpline.metrics).
            models.Index(
                fields=["kind"],
                name="outbox_sla_sent",
                condition=Q(state="done", kind__in=["sla_warning", "sla_breached"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="outbox_state_valid", condition=Q(state__in=[s.value for s in State])
            ),
            models.CheckConstraint(
                name="outbox_done_has_done_at",
                condition=~Q(state="done") | Q(done_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} to {self.recipient} ({self.state})"


class WebhookEndpoint(models.Model):
    """A receiver of signed webhooks (Slack-like or in-house): every ticket event, or some."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=200, help_text="Shared secret for the HMAC-SHA256 signature"
    )
    events = models.JSONField(
        default=list, blank=True, help_text='Event kinds to send (["sla_breached", …]); empty: all'
    )
    internal = models.BooleanField(
        default=True, help_text="Receives internal events too (notes, assignment, warnings)"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name

    def wants(self, kind: str, *, public: bool) -> bool:
        if not self.active or (not public and not self.internal):
            return False
        return not self.events or kind in self.events


class WhatsAppWindow(models.Model):
    """When a customer last wrote to us on WhatsApp: for 24 hours after that we may send free
    text; outside the window only approved templates (Meta's rule)."""

    phone = models.CharField(max_length=32, unique=True)
    last_inbound_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.phone} (last wrote {display.when(self.last_inbound_at, display.here())})"


class Weekday(models.IntegerChoices):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class OnCallShift(models.Model):
    """The weekly rota: who is on call on a weekday from ``start`` to ``end`` (local times in
    ``zone``; an ``end`` at or before ``start`` runs past midnight into the next day)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()
    zone = models.CharField(max_length=64, default="Asia/Kolkata")

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(name="oncall_weekday_0_6", condition=Q(weekday__lte=6)),
        ]

    def __str__(self) -> str:
        return f"{self.user} {Weekday(self.weekday).label} {self.start:%H:%M}–{self.end:%H:%M}"


class OnCallOverride(models.Model):
    """Someone else is on call from ``starts_at`` to ``ends_at`` (a swap, a holiday): while an
    override covers an instant, it replaces the weekly rota."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="oncall_override_span")]
        constraints = [
            models.CheckConstraint(
                name="oncall_override_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
        ]

    def __str__(self) -> str:
        zone = display.here()
        return (
            f"{self.user} {display.when(self.starts_at, zone)} → {display.when(self.ends_at, zone)}"
        )


class Preference(models.Model):
    """One person's choices: channels, events they do not want, quiet hours (C1 ignores them:
    a C1 reaches them at any hour), and the daily digest instead of single mails."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="notify_preference"
    )
    email = models.BooleanField(default=True)
    whatsapp = models.BooleanField(default=True)
    muted = models.JSONField(
        default=list, blank=True, help_text='Event kinds not wanted (["status", …]); C1 ignores'
    )
    whatsapp_muted = models.JSONField(
        default=list,
        blank=True,
        help_text="Event kinds not wanted on WhatsApp (they still come by email); C1 ignores",
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    digest = models.BooleanField(
        default=False, help_text="One mail a day (at digest_at) instead of single mails; not C1"
    )
    digest_at = models.TimeField(default="09:00")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="preference_quiet_both_or_neither",
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"preferences of {self.user}"


class WhatsAppInbound(models.Model):
    """A message a customer sent us on WhatsApp (Meta's webhook), recorded once by its id:
    Meta repeats deliveries, and a repeat must not post the reply twice."""

    class Outcome(models.TextChoices):
        REPLY = "reply", "Posted as a reply"
        IGNORED = "ignored", "Recorded and ignored"
        ANSWER = "answer", "Recorded as a survey answer"

    message_id = models.CharField(max_length=200, unique=True, help_text="Meta's wamid")
    phone = models.CharField(max_length=32)
    kind = models.CharField(max_length=20, help_text="text, image, … (Meta's type)")
    body = models.TextField(blank=True)
    sent_at = models.DateTimeField(help_text="When the customer sent it (Meta's timestamp)")
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["phone", "-sent_at"], name="wa_inbound_phone_sent")]

    def __str__(self) -> str:
        return f"WhatsApp from {self.phone} ({self.outcome})"
