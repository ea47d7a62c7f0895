"""The core's one table: request counts of the rate limits (``helpline.core.limits``)."""

from __future__ import annotations

from django.db import models


class RateCount(models.Model):
    """How many requests one caller (a token, a person, an address, a sender domain) made in
    one fixed window of one limit. Every web process and worker shares it (decision 0125)."""

    key = models.CharField(max_length=80, help_text="limit name and a hash of who is counted")
    slot = models.BigIntegerField(help_text="window number: Unix seconds // window length")
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="rate_count_key_slot")]

    def __str__(self) -> str:
        return f"{self.key} #{self.slot}: {self.count}"
