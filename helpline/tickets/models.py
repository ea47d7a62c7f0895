"""Tickets, their messages, their SLA clocks and the append-only event log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from helpline.tickets.events import EventKind

REFERENCE_PREFIX = "HL-"


class Status(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_MERCHANT = "waiting_on_merchant", "Waiting on merchant"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    Status.NEW,
    Status.TRIAGED,
    Status.IN_PROGRESS,
    Status.WAITING_ON_MERCHANT,
    Status.AWAITING_APPROVAL,
)
PAUSED_STATUSES = (Status.WAITING_ON_MERCHANT, Status.AWAITING_APPROVAL)
# The merchant's "open" tab (waiting on them is a tab of its own): a partial index serves it.
MERCHANT_OPEN = (Status.NEW, Status.TRIAGED, Status.IN_PROGRESS, Status.AWAITING_APPROVAL)


class Channel(models.TextChoices):
    PORTAL = "portal"
    API = "api"
    EMAIL = "email"
    MONITOR = "monitor"
    STAFF = "staff"
    WHATSAPP = "whatsapp", "WhatsApp"  # a merchant's reply by WhatsApp (notify.inbound)


class Ticket(models.Model):
    # Denormalised from the store (a store never changes merchant): every tenancy filter and
    # the merchant's list use this column and its index. Foreign keys marked db_index=False
    # are served by a composite index of Meta that starts with them (every index is written
    # by every ticket creation; decision 0080).
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    store = models.ForeignKey(
        "merchants.Store", on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    subject = models.CharField(max_length=200)
    description = models.TextField()
    issue_type = models.CharField(max_length=64)
    priority = models.CharField(max_length=2)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.API)
    policy_version = models.ForeignKey(
        "sla.PolicyVersion", on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    due_reason = models.TextField(blank=True)
    # The first due date given (set once, at triage): "promise kept" is judged against it and
    # against the last one, ``due_at`` (decision 0095).
    first_due_at = models.DateTimeField(null=True, blank=True)
    # When the due date was recorded as passed with the ticket open (the worker's sweep; once
    # per due date: a new due date clears it).
    due_passed_at = models.DateTimeField(null=True, blank=True)
    # Reopened after its due date passed: back in the triage queue for a new one; the merchant
    # sees "a new due date will be set" (``due_at`` keeps the last one given, for the record).
    # (A nullable instant, not a boolean: SQLite adds it without rebuilding the table, whose
    # search triggers a rebuild would drop.)
    needs_due_date_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    # Mail from an address that is no contact of the merchant (decision 0016): staff check it
    # on triage before answering.
    unverified_sender = models.BooleanField(default=False)
    # Master incident: a ticket linked to a master hears the master's public updates and is
    # resolved with it (tickets/incidents.py). A master is never itself linked.
    master = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked",
        db_index=False,  # the partial index ticket_master (only linked tickets have one)
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["master"], name="ticket_master", condition=Q(master__isnull=False)
            ),
            models.Index(fields=["merchant", "-id"], name="ticket_merchant_id"),
            models.Index(
                fields=["merchant", "-id"],
                name="ticket_merchant_open_id",
                condition=Q(status__in=[s.value for s in MERCHANT_OPEN]),
            ),
            models.Index(fields=["store", "-id"], name="ticket_store_id"),
            models.Index(fields=["status", "-id"], name="ticket_status_id"),
            models.Index(fields=["assignee", "-id"], name="ticket_assignee_id"),
            models.Index(fields=["team", "-id"], name="ticket_team_id"),
            models.Index(fields=["priority", "-id"], name="ticket_priority_id"),
            # The worker's due-date sweep: open tickets whose due date is still to pass.
            models.Index(
                fields=["due_at"],
                name="ticket_due_unpassed",
                condition=Q(
                    due_passed_at__isnull=True,
                    due_at__isnull=False,
                    needs_due_date_since__isnull=True,
                    status__in=[s.value for s in OPEN_STATUSES],
                ),
            ),
            # The triage queue's second half: reopened past their due date.
            models.Index(
                fields=["-id"],
                name="ticket_needs_due_date",
                condition=Q(needs_due_date_since__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="ticket_rating_1_to_5",
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
            ),
            models.CheckConstraint(
                name="ticket_status_valid", condition=Q(status__in=[s.value for s in Status])
            ),
            models.CheckConstraint(
                name="ticket_master_not_self", condition=~Q(master=models.F("id"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk}"

    @property
    def needs_due_date(self) -> bool:
        """Reopened after its due date passed, and no new one set yet."""
        return self.needs_due_date_since is not None


class TicketClock(models.Model):
    """One SLA target on one ticket.

    Running: ``segment_started_at`` set, ``deadline`` the instant it breaches. Paused:
    ``paused_since`` set, no deadline. Business time already used before the current segment is
    in ``consumed`` (on the target's calendar) and ``wall_consumed`` (calendar time), so a resume
    lays out the remainder on the calendar as it is then. A restart (re-prioritising, the C1
    workaround) supersedes the row with a new one; exactly one row per kind is current. A row
    re-prioritised keeps the ``started_at`` of the row it replaces (the target's start) and counts
    ``consumed`` from it.
    """

    ticket = models.ForeignKey(  # served by clock_ticket_kind
        Ticket, on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    kind = models.CharField(max_length=20)
    priority = models.CharField(max_length=2)
    calendar = models.CharField(max_length=64)
    length = models.DurationField()
    started_at = models.DateTimeField()
    segment_started_at = models.DateTimeField(null=True, blank=True)
    consumed = models.DurationField()
    wall_consumed = models.DurationField()
    paused_since = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True, help_text="The last warning")
    # The escalation chain's steps at or above this percent are still to be announced since
    # this start; ``warn_at`` is the next one's instant (None: none left, or not running).
    warn_step = models.PositiveSmallIntegerField(default=0)
    met_at = models.DateTimeField(null=True, blank=True)
    taken_business = models.DurationField(null=True, blank=True)
    taken_wall = models.DurationField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # What re-prioritising needs to never buy time (tickets.clocks, decision 0090): the pauses
    # since started_at, the budget when it is not ``length``, the smallest budget had per
    # (priority, minutes), the chain's first warning. Carried to the superseding row.
    history = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=Q(superseded_at__isnull=True),
                name="clock_one_current_per_kind",
            ),
            models.CheckConstraint(
                name="clock_running_xor_paused",
                condition=~Q(segment_started_at__isnull=False, paused_since__isnull=False),
            ),
        ]
        indexes = [
            # The worker's sweeps: running targets by deadline and by warning instant.
            models.Index(
                fields=["deadline"],
                name="clock_due_deadline",
                condition=Q(
                    breached_at__isnull=True,
                    met_at__isnull=True,
                    stopped_at__isnull=True,
                    superseded_at__isnull=True,
                    deadline__isnull=False,
                ),
            ),
            models.Index(
                fields=["warn_at"],
                name="clock_due_step",
                condition=Q(
                    met_at__isnull=True,
                    stopped_at__isnull=True,
                    superseded_at__isnull=True,
                    warn_at__isnull=False,
                ),
            ),
            models.Index(fields=["ticket", "kind"], name="clock_ticket_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} clock of ticket {self.ticket_id}"

    @property
    def state(self) -> str:
        if self.breached_at is not None:
            return "breached"
        if self.met_at is not None:
            return "met"
        if self.stopped_at is not None:
            return "stopped"
        if self.paused_since is not None:
            return "paused"
        return "running"


class MessageKind(models.TextChoices):
    REPLY = "reply"
    NOTE = "note"
    WORKAROUND = "workaround"
    RESOLUTION = "resolution"
    SYSTEM = "system"


class TicketMessage(models.Model):
    ticket = models.ForeignKey(  # served by message_ticket_id
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=MessageKind.choices, default=MessageKind.REPLY)
    body = models.TextField()
    internal = models.BooleanField(default=False)
    question = models.BooleanField(default=False)
    from_staff = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.API)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "id"], name="message_ticket_id")]
        constraints = [
            models.CheckConstraint(
                name="message_note_is_not_question", condition=~Q(internal=True, question=True)
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} on ticket {self.ticket_id}"


class TicketEvent(models.Model):
    """Append-only: who changed what on a ticket, from what to what, when, and why."""

    ticket = models.ForeignKey(  # served by event_ticket_id
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    public = models.BooleanField(default=False, help_text="Shown to the merchant")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "id"], name="event_ticket_id")]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # A random name on disk: the stored name never comes from the sender.
    import secrets

    return f"attachments/{instance.ticket_id}/{secrets.token_hex(12)}"


class Attachment(models.Model):
    """A file that came with a message (mail or upload), stored under the data directory and
    served only to people who may see the ticket, always as a download."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "id"], name="attachment_ticket_id")]

    def __str__(self) -> str:
        return f"{self.filename} on ticket {self.ticket_id}"


class OpenLoad(models.Model):
    """How many open tickets each person is assigned, by priority: routing's loads in one
    indexed read (decision 0184). Kept by the database itself — triggers on ``Ticket``'s
    insert, delete and change of assignee, status or priority (migration 0015), so every
    path (services, bulk updates, the admin, raw SQL) moves it in the same transaction;
    ``services.loads.reconcile`` rebuilds it from the tickets and says what differed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="open_load",
    )
    c1 = models.IntegerField(default=0)
    c2 = models.IntegerField(default=0)
    c3 = models.IntegerField(default=0)
    c4 = models.IntegerField(default=0)
    # Any other priority code (none today): weighed 1 by routing.
    other = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"open load of {self.user_id}"
