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
