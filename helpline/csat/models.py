"""Customer satisfaction (decision 0200): one survey per resolution of a ticket, at most one
answer per survey (changeable for 7 days), and the follow-up a low score opens.

A survey keeps what the report groups by as it was at the resolution (the agent, the team, the
issue type, the merchant, the language), so a later reassignment does not move old answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    MAIL = "mail"
    WHATSAPP = "whatsapp", "WhatsApp"
    PORTAL = "portal"


class Survey(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    # The resolution this survey asks about: the ticket's ``resolved_at`` then (a ticket
    # reopened and resolved again is a second resolution, a second survey).
    resolved_at = models.DateTimeField()
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issue_type = models.CharField(max_length=64)
    language = models.CharField(max_length=8)
    # Whom it was sent to (a merchant user; none when the merchant has nobody to ask).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    whatsapp = models.CharField(max_length=32, blank=True, help_text="The number asked, if any")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "resolved_at"], name="csat_one_per_resolution"
            )
        ]
        indexes = [models.Index(fields=["resolved_at"], name="csat_survey_resolved")]

    def __str__(self) -> str:
        return f"survey {self.pk} of ticket {self.ticket_id}"


class Answer(models.Model):
    """One per survey (the primary key is the survey): a changed answer updates this row."""

    survey = models.OneToOneField(
        Survey, on_delete=models.CASCADE, primary_key=True, related_name="answer"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    answered_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)
    changes = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="csat_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score} of 5 for survey {self.survey_id}"


class FollowUp(models.Model):
    """A score of 2 or less: the store's account manager (or the team lead) calls the merchant
    back within one business day. Tracked like a target: ``warn_at`` and ``due_at`` are swept
    by the worker, which records the warning and the breach at their instants."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="follow_up")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The sweep's two ranges, over open follow-ups only.
            models.Index(
                fields=["warn_at"],
                name="csat_followup_warn",
                condition=Q(done_at__isnull=True, warned_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="csat_followup_due",
                condition=Q(done_at__isnull=True, breached_at__isnull=True),
            ),
            models.Index(
                fields=["owner", "due_at"],
                name="csat_followup_owner",
                condition=Q(done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up of survey {self.survey_id}"
