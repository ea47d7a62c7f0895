"""The support policy as data: calendars, priorities, targets, issue types, overrides.

These tables are what admins edit. Every edit publishes a new ``PolicyVersion`` (an immutable
snapshot, see ``services.policy_publish``); tickets point at the version they were opened under,
so editing the policy never rewrites history. Holiday rows are the exception docs/policy.md names:
they are not versioned, and changing one recomputes the pending deadlines of open tickets.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from helpline.core import display
from helpline.sla.defaults import ESCALATION_AUDIENCES


def length_words(minutes: int) -> str:
    """ "7 h", "15 min", "3 d": a target's length as the admin reads it."""
    return display.duration(timedelta(minutes=minutes))


TARGET_KIND_CHOICES = [("first_response", "First response"), ("resolution", "Resolution")]
WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class Calendar(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    zone = models.CharField(max_length=64, default="Asia/Kolkata")
    always_open = models.BooleanField(default=False, help_text="24×7: every minute counts")
    country = models.CharField(max_length=2, blank=True, help_text="Holiday source, e.g. IN")
    subdivision = models.CharField(max_length=10, blank=True, help_text="e.g. KA; empty: national")
    # Bumped whenever a holiday row of this calendar changes: caches key on it.
    holidays_revision = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class CalendarInterval(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day")

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(name="interval_weekday_range", condition=Q(weekday__lte=6)),
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start"], name="interval_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=200)
    added_by_admin = models.BooleanField(default=False)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class HolidayYear(models.Model):
    """A year whose holidays were seeded: from then on its rows are the truth, even if empty."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="seeded_years")
    year = models.PositiveSmallIntegerField()
    seeded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="holiday_year_unique")
        ]

    def __str__(self) -> str:
        return str(self.year)


class Priority(models.Model):
    code = models.CharField(max_length=2, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 is the most urgent")
    name = models.CharField(max_length=100)
    description = models.TextField()

    class Meta:
        ordering = ["rank"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Target(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=20, choices=TARGET_KIND_CHOICES)
    minutes = models.PositiveIntegerField(help_text="Length on the calendar (business minutes)")
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="+")
    goal_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="The guideline's goal, shown beside the target in reports"
    )

    class Meta:
        ordering = ["priority__rank", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "kind"], name="target_unique_kind"),
            models.CheckConstraint(name="target_minutes_positive", condition=Q(minutes__gt=0)),
        ]

    def __str__(self) -> str:
        return (
            f"{self.priority.code} {self.get_kind_display().lower()}: {length_words(self.minutes)}"
        )


def validate_audience(value: str) -> None:
    """The names an escalation step may tell (space-separated, at least one)."""
    wrong = sorted(set(value.split()) - set(ESCALATION_AUDIENCES))
    if wrong or not value.split():
        raise ValidationError(
            f"unknown: {', '.join(wrong) or '(nobody named)'}; "
            f"choose among {' '.join(ESCALATION_AUDIENCES)}"
        )


class EscalationStep(models.Model):
    """One step of a priority's escalation chain: at ``percent`` of a pending target's length
    (100: the breach) tell ``notify`` (space-separated: assignee_or_lead, assignee, lead,
    admins, on_call)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="escalation")
    percent = models.PositiveSmallIntegerField(help_text="Of the target's length; 100 = breach")
    notify = models.CharField(
        max_length=100,
        validators=[validate_audience],
        help_text="Space-separated: assignee_or_lead assignee lead admins on_call",
    )

    class Meta:
        ordering = ["priority__rank", "percent"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "percent"], name="escalation_unique_step"),
            models.CheckConstraint(
                name="escalation_percent_range", condition=Q(percent__gte=1, percent__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority.code} at {self.percent} %: {self.notify}"


class IssueType(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    default_priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name


class Override(models.Model):
    """Absolute targets for one (issue type, priority); the priority's calendar is kept."""

    issue_type = models.ForeignKey(IssueType, on_delete=models.CASCADE, related_name="overrides")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=TARGET_KIND_CHOICES)
    minutes = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issue_type", "priority", "kind"], name="override_unique"
            ),
            models.CheckConstraint(name="override_minutes_positive", condition=Q(minutes__gt=0)),
        ]

    def __str__(self) -> str:
        return (
            f"{self.issue_type.name} at {self.priority.code}: "
            f"{self.get_kind_display().lower()} {length_words(self.minutes)}"
        )


class PolicyVersion(models.Model):
    """An immutable snapshot of the whole policy (not of holiday rows)."""

    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    digest = models.CharField(max_length=64)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(name="policy_version_positive", condition=Q(number__gt=0)),
        ]

    def __str__(self) -> str:
        return f"policy v{self.number}"
