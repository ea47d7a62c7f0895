"""Store uptime: monitors, what they saw, outages, blind time, maintenance, platform incidents.

Kept for good: state changes, outages, blind spans, maintenance windows, incidents, day
rollups. Kept a while: raw probe results (48 h), minute and hour rollups (see ``sweep``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from helpline.core import display


class MonitorState(models.TextChoices):
    NEW = "new", "Not probed yet"
    UP = "up", "Up"
    SUSPECT = "suspect", "Suspect"
    DOWN = "down", "Down"
    RECOVERING = "recovering", "Recovering"


class Monitor(models.Model):
    """One URL of one store, probed every ``interval_seconds``. Claimed through
    ``next_probe_at`` (indexed): a worker moves it ahead by a lease when it takes the row."""

    store = models.ForeignKey("merchants.Store", on_delete=models.CASCADE, related_name="monitors")
    url = models.URLField(max_length=500)
    interval_seconds = models.PositiveIntegerField(default=60)
    timeout_seconds = models.PositiveIntegerField(default=10)
    expected_status = models.PositiveSmallIntegerField(default=200)
    keyword = models.CharField(max_length=200, blank=True)
    tls_warn_days = models.PositiveSmallIntegerField(default=14)
    active = models.BooleanField(default=True)
    state = models.CharField(max_length=12, choices=MonitorState.choices, default=MonitorState.NEW)
    fail_streak = models.PositiveIntegerField(default=0)
    ok_streak = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    recovery_at = models.DateTimeField(null=True, blank=True)
    next_probe_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True)
    last_probe_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    tls_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["next_probe_at"], name="monitor_due", condition=Q(active=True)),
            models.Index(fields=["store"], name="monitor_store"),
        ]
        constraints = [
            models.CheckConstraint(
                name="monitor_interval_range",
                condition=Q(interval_seconds__gte=10, interval_seconds__lte=86400),
            ),
            models.CheckConstraint(
                name="monitor_timeout_range",
                condition=Q(timeout_seconds__gte=1, timeout_seconds__lte=60),
            ),
            models.CheckConstraint(
                name="monitor_expected_status_range",
                condition=Q(expected_status__gte=100, expected_status__lte=599),
            ),
            models.CheckConstraint(
                name="monitor_state_valid",
                condition=Q(state__in=[s.value for s in MonitorState]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.state})"


class ProbeResult(models.Model):
    """One probe (raw; kept 48 hours, then only its rollups remain)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    ok = models.BooleanField()
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["at"], name="probe_at"),
            models.Index(fields=["monitor", "at"], name="probe_monitor_at"),
        ]

    def __str__(self) -> str:
        return f"probe of monitor {self.monitor_id} at {display.when(self.at, display.here())}"


class Resolution(models.TextChoices):
    MINUTE = "m", "Minute"
    HOUR = "h", "Hour"
    DAY = "d", "Day"


class ProbeRollup(models.Model):
    """Probes of one monitor in one minute, hour or day (UTC buckets)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+")
    resolution = models.CharField(max_length=1, choices=Resolution.choices)
    bucket = models.DateTimeField()
    probes = models.PositiveIntegerField()
    failures = models.PositiveIntegerField()
    latency_ms_sum = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["monitor", "resolution", "bucket"], name="rollup_one_per_bucket"
            ),
            models.CheckConstraint(
                name="rollup_failures_le_probes", condition=Q(failures__lte=F("probes"))
            ),
        ]
        indexes = [models.Index(fields=["resolution", "bucket"], name="rollup_res_bucket")]

    def __str__(self) -> str:
        return f"{self.resolution} rollup of monitor {self.monitor_id} at {self.bucket}"


class RollupMark(models.Model):
    """How far raw results (and minute, hour rollups) have been rolled up: one row per level."""

    resolution = models.CharField(max_length=1, choices=Resolution.choices, unique=True)
    done_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.resolution} rolled up until {self.done_until}"


class StateChange(models.Model):
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="state_changes")
    at = models.DateTimeField()
    before = models.CharField(max_length=12)
    after = models.CharField(max_length=12)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["monitor", "at"], name="statechange_monitor_at")]

    def __str__(self) -> str:
        return f"monitor {self.monitor_id}: {self.before} → {self.after} at {self.at}"


class PlatformIncident(models.Model):
    """Many stores down at once: one incident, the stores' tickets (and the C1 tickets filed
    while it lasts) linked to it through ``IncidentTicket``."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    started_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    automatic = models.BooleanField(default=True)
    # When the on-call was paged for it (storm.incident_check; once per incident).
    paged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["started_at"], name="incident_open", condition=Q(resolved_at__isnull=True)
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="incident_resolved_after_start",
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("started_at")),
            )
        ]

    def __str__(self) -> str:
        return self.title


class IncidentTicket(models.Model):
    """A ticket linked to a platform incident (``via``: the ticket's channel). ``updated_at``:
    when the incident's resolution was posted on it (empty: not yet; ``storm.updates_sweep``
    posts it, once, in the transaction that sets this)."""

    incident = models.ForeignKey(PlatformIncident, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=20)
    linked_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "ticket"], name="incident_ticket_once")
        ]
        indexes = [
            models.Index(fields=["ticket"], name="incident_ticket_ticket"),
            models.Index(
                fields=["incident"],
                name="incident_ticket_to_update",
                condition=Q(updated_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} in incident {self.incident_id}"


class Outage(models.Model):
    """From the first failed probe of a confirmed outage to the first success of the confirmed
    recovery (``ended_at`` empty while it lasts)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.PROTECT, related_name="outages")
    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    confirmed_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    cause = models.CharField(max_length=300, blank=True)
    maintenance = models.BooleanField(default=False)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    incident = models.ForeignKey(
        PlatformIncident, null=True, blank=True, on_delete=models.SET_NULL, related_name="outages"
    )

    class Meta:
        indexes = [
            models.Index(fields=["store", "started_at"], name="outage_store_start"),
            models.Index(fields=["started_at"], name="outage_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["monitor"], condition=Q(ended_at__isnull=True), name="outage_one_open"
            ),
            models.CheckConstraint(
                name="outage_ends_after_start",
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"outage of store {self.store_id} from {self.started_at}"


class BlindSpan(models.Model):
    """Time the monitor could not see the store (Helpline itself was not probing, or its own
    network failed): unknown, never up and never down."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="blind_spans")
    store = models.ForeignKey("merchants.Store", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    reason = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["store", "started_at"], name="blind_store_start")]
        constraints = [
            models.CheckConstraint(
                name="blind_ends_after_start", condition=Q(ended_at__gt=F("started_at"))
            )
        ]

    def __str__(self) -> str:
        return f"unknown for store {self.store_id} from {self.started_at}"


class MaintenanceWindow(models.Model):
    """Planned work. ``stores`` empty: every store (platform-wide)."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    stores = models.ManyToManyField("merchants.Store", blank=True, related_name="+")
    announced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["starts_at"], name="maintenance_start")]
        constraints = [
            models.CheckConstraint(
                name="maintenance_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            )
        ]

    def __str__(self) -> str:
        return self.title


class RootCauseReport(models.Model):
    """The promise of a root-cause report (decision 0229): one per platform incident and one
    per store outage over ``ROOT_CAUSE_OUTAGE_MINUTES`` outside an incident, due five business
    days after it was owed, written by staff in Markdown and published on the status page.

    ``notice_at`` is the sweep's queue: when the owner is next told (75 % of the time used,
    then the breach); empty once both were sent or the report is published."""

    incident = models.OneToOneField(
        PlatformIncident, null=True, blank=True, on_delete=models.PROTECT, related_name="root_cause"
    )
    outage = models.OneToOneField(
        Outage, null=True, blank=True, on_delete=models.PROTECT, related_name="root_cause"
    )
    title = models.CharField(max_length=200)
    owed_at = models.DateTimeField(help_text="When the report became owed")
    warn_at = models.DateTimeField(help_text="75 % of the business time to the due date")
    due_at = models.DateTimeField()
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notice_at = models.DateTimeField(null=True, blank=True)
    body = models.TextField(blank=True, help_text="Markdown, as staff wrote it")
    html = models.TextField(blank=True, help_text="The body rendered and sanitised")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["notice_at"], name="root_cause_notice", condition=Q(notice_at__isnull=False)
            ),
            models.Index(fields=["owed_at"], name="root_cause_owed"),
        ]
        constraints = [
            models.CheckConstraint(
                name="root_cause_of_one_thing",
                condition=Q(incident__isnull=False, outage__isnull=True)
                | Q(incident__isnull=True, outage__isnull=False),
            ),
            models.CheckConstraint(
                name="root_cause_due_after_owed", condition=Q(due_at__gte=F("owed_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"root cause: {self.title}"
