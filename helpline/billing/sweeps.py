"""The worker's sweep over quotes: pending quotes past their validity expire, at their
valid-until instant however late the sweep runs (as the clocks' sweep records warnings and
breaches at their true instants)."""

from __future__ import annotations

from datetime import datetime

from helpline.billing import services
from helpline.core import clock
from helpline.core.errors import Conflict


def quotes_expire(*, now: datetime | None = None) -> int:
    """Pending quotes past their validity send their tickets back to triaged (each through
    ``quote_expire``, the same service as any other change: events, notifications), stamped at
    the quote's ``valid_until``. A ticket another worker (or a decision) got to first is a
    ``Conflict``, skipped: running it twice expires once."""
    now = now or clock.now()
    done = 0
    for ticket_id in services.quotes_due_for_expiry(now=now):
        try:
            services.quote_expire(ticket=ticket_id, reason="the quote expired", now=now)
        except Conflict:
            continue
        done += 1
    return done
