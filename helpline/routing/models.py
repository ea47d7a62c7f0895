"""People and their time, as routing sees them: which team owns which issue types, each agent's
skills, languages, capacity and status, their weekly shifts (in their own zone) and leave.

The on-call rota itself is in the outbox (``OnCallShift``, ``OnCallOverride``); teams and their
members and leads are in accounts. Routing decides who owns a ticket from these rows
(POLICY.md, "Ownership and routing"; docs/policy.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from helpline.outbox.models import Weekday  # the on-call rota's days, the same seven


class AgentStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    AWAY = "away", "Away"


class TeamRoute(models.Model):
    """A team owns an issue type (each issue type at most one team); the default team owns
    the rest (``issue_type`` empty: exactly one such row)."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="routes")
    issue_type = models.CharField(
        max_length=64, blank=True, help_text="An issue type's code; empty: the default team"
    )

    class Meta:
        ordering = ["issue_type"]
        constraints = [
            models.UniqueConstraint(fields=["issue_type"], name="route_one_team_per_issue_type"),
        ]

    def __str__(self) -> str:
        return f"{self.issue_type or '(default)'} → {self.team}"


class AgentProfile(models.Model):
    """What routing knows of one member of staff. Staff without a profile are never chosen
    automatically (a person may still assign them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    skills = models.JSONField(
        default=list, blank=True, help_text="Issue type codes this agent handles"
    )
    languages = models.JSONField(
        default=list, blank=True, help_text="Language codes (e.g. en, hi) this agent writes"
    )
    capacity = models.PositiveSmallIntegerField(
        default=40, help_text="The most weighted open load (C1 4, C2 3, C3 2, C4 1)"
    )
    status = models.CharField(
        max_length=10, choices=AgentStatus.choices, default=AgentStatus.AVAILABLE
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_assigned_at = models.DateTimeField(
        null=True, blank=True, help_text="When routing last gave this agent a ticket (ties)"
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.status})"


class Shift(models.Model):
    """One weekly working span of an agent: on ``weekday`` from ``start`` to ``end``, local
    times in the agent's own zone (``User.time_zone``); an ``end`` at or before ``start`` runs
    past midnight into the next day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shifts"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["user", "weekday", "start"]
        constraints = [
            models.CheckConstraint(name="shift_weekday_0_6", condition=Q(weekday__lte=6)),
        ]

    def __str__(self) -> str:
        return f"{self.user} {Weekday(self.weekday).label} {self.start:%H:%M}–{self.end:%H:%M}"


class Leave(models.Model):
    """An agent away for whole days, ``starts_on`` to ``ends_on`` inclusive, in their zone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leave"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["ends_on", "starts_on"], name="leave_span")]
        constraints = [
            models.CheckConstraint(
                name="leave_ends_on_or_after_start", condition=Q(ends_on__gte=F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_on} → {self.ends_on}"
