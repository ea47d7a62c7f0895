"""Checking, and repairing, the open loads the database keeps (``OpenLoad``, decision 0184).

The triggers of migration 0015 move a person's row with every insert, delete and change of a
ticket's assignee, status or priority, so the rows never drift while the triggers stand. What
could still make them differ — a restore of one table without the other, a trigger dropped by
hand, a change of ``OPEN_STATUSES`` without a migration — is found by ``reconcile`` (the
tickets counted again, compared) and mended with ``repair=True``; ``helpline loads`` runs it.
"""

from __future__ import annotations

from django.db import connection, transaction

from helpline.tickets import selectors
from helpline.tickets.models import OpenLoad

NONE = (0, 0, 0, 0, 0)
Drift = dict[int, tuple[tuple[int, ...], tuple[int, ...]]]


def reconcile(*, repair: bool = False) -> Drift:
    """Each person whose kept counts differ from their open tickets counted again: user id →
    (kept, counted), each (C1, C2, C3, C4, other). ``repair``: the rows are set to the counts,
    in one transaction that holds the table (PostgreSQL: no ticket write interleaves)."""
    with transaction.atomic():
        if repair and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE tickets_openload IN EXCLUSIVE MODE")
        counted = selectors.open_counts_counted()
        kept = selectors.open_counts_kept()
        drift = {
            user_id: (kept.get(user_id, NONE), counted.get(user_id, NONE))
            for user_id in sorted(set(counted) | set(kept))
            if kept.get(user_id, NONE) != counted.get(user_id, NONE)
        }
        if repair:
            for user_id, (_, right) in drift.items():
                OpenLoad.objects.update_or_create(
                    user_id=user_id, defaults=dict(zip(selectors.LOAD_COUNTS, right, strict=True))
                )
    return drift
