"""The web layer's own state: failed sign-in counters (see docs/decisions/0005)."""

from __future__ import annotations

from django.db import models


class LoginThrottle(models.Model):
    """Failed sign-ins for one (e-mail, client address) pair; deleted on a successful one."""

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of e-mail and address")
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.failures} failed sign-ins ({self.key[:8]}…)"


class CannedReply(models.Model):
    """A reply staff pick from a list; placeholders are filled from the ticket."""

    title = models.CharField(max_length=100, unique=True)
    body = models.TextField(
        help_text="Placeholders: {merchant}, {store}, {reference}, {subject}, {agent}, {requester}"
    )
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "canned replies"

    def __str__(self) -> str:
        return self.title


class SavedView(models.Model):
    """A member of staff's named queue and filters (the console's query string)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name


class HeldUpload(models.Model):
    """A file sent with a new ticket that was held back by the C1 "already reported?" step:
    kept here (its owner only, by an unguessable token) so that "Send anyway" attaches it
    without asking the merchant to choose it again. Taken (deleted) when the ticket is filed;
    what is left over is deleted after ``web.drafts.HELD_FOR`` (decision 0210)."""

    token = models.CharField(max_length=43, unique=True)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    data = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="held_upload_user_created")]

    def __str__(self) -> str:
        return self.filename


class TicketPresence(models.Model):
    """Who has a ticket open in the console, and whether they are writing on it: one row per
    (ticket, person), refreshed by the page every few seconds; older than
    ``web.presence.STALE`` it counts as gone (decision 0214)."""

    class State(models.TextChoices):
        VIEWING = "viewing"
        REPLYING = "replying"

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.VIEWING)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="presence_one_per_person")
        ]
        indexes = [models.Index(fields=["seen_at"], name="presence_seen_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} on {self.ticket_id}"
