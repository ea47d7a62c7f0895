"""The quarantine: mail held with its reason until staff settle it — listed, discarded, or made
a ticket (staff vouch for the mail; not for a sender it did not prove, decision 0168). The CLI,
the API and the admin call these; routing a mail there is ``services.mail_ingest``'s."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from helpline.accounts.models import User
from helpline.core import clock
from helpline.core.errors import InvalidInput, NotFound
from helpline.mail.models import InboundMail, Outcome
from helpline.mail.parse import parse
from helpline.mail.services import _new_ticket, _record_received, _store_of, _why_unproven
from helpline.merchants import selectors as merchants
from helpline.merchants.models import Store
from helpline.tickets.models import Ticket


def quarantine_list(*, limit: int = 100) -> list[InboundMail]:
    """Quarantined mail, newest first (the CLI, the API and the admin list it)."""
    return list(
        InboundMail.objects.filter(status=Outcome.QUARANTINED)
        .defer("raw", "html")
        .order_by("-pk")[:limit]
    )


def _quarantined(inbound_id: int) -> InboundMail:
    row = (
        InboundMail.objects.select_for_update()
        .filter(pk=inbound_id, status=Outcome.QUARANTINED)
        .first()
    )
    if row is None:
        raise NotFound(f"no quarantined mail {inbound_id}")
    return row


def quarantine_discard(
    *, inbound_id: int, actor: User | None, reason: str = "", now: datetime | None = None
) -> InboundMail:
    """Drop a quarantined mail (its record and raw bytes stay until the retention ends)."""
    now = now or clock.now()
    with transaction.atomic():
        row = _quarantined(inbound_id)
        row.status = Outcome.DISCARDED
        row.reason = f"{row.reason}; discarded" + (f": {reason.strip()}" if reason.strip() else "")
        row.settled_at, row.settled_by = now, actor
        row.save(update_fields=["status", "reason", "settled_at", "settled_by"])
    return row


def quarantine_to_ticket(
    *,
    inbound_id: int,
    actor: User | None,
    store: Store | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Turn a quarantined mail into a ticket (staff vouch for it): on ``store``, else the store
    its sender's address leads to. The ticket stays flagged when the sender is no contact. The
    sender gets the acknowledgement a ticket by mail gets (never for automatic mail, and
    within the hourly cap per sender)."""
    now = now or clock.now()
    with transaction.atomic():
        row = _quarantined(inbound_id)
        raw = bytes(row.raw or b"")
        parsed = parse(raw)
        sender = merchants.contact_for_address(parsed.from_address)
        if store is None and sender is not None:
            store = _store_of(sender, parsed.from_address)
        if store is None and "@" in parsed.from_address:
            store = merchants.store_for_domain(parsed.from_address.rsplit("@", 1)[-1])
        if store is None:
            raise InvalidInput(
                "name the store: the sender's address leads to none", code="store_required"
            )
        # Staff vouch for the mail, not for a sender it did not prove (decision 0168).
        why = _why_unproven(row)
        decision = _new_ticket(
            parsed,
            None if why else sender,
            store,
            unverified=bool(why)
            or not (sender is not None and sender.merchant.pk == store.merchant_id),
            now=now,
            why=why,
            limited=False,  # staff vouch for this one mail: no flood to hold back
        )
        ticket = decision.ticket
        if ticket is None:  # _new_ticket always makes one; for the type checker
            raise RuntimeError("no ticket made")
        row.reason = f"{row.reason}; made a ticket by staff"
        row.settled_at, row.settled_by = now, actor
        row.status = Outcome.TICKET
        row.ticket, row.priority = ticket, ticket.priority
        # Routing never ran on it: the acknowledgement sees whether it is automatic mail.
        _record_received(row, parsed, ticket, None, decision.refused, now, opened=True)
        row.save(
            update_fields=[
                "status",
                "reason",
                "ticket",
                "priority",
                "settled_at",
                "settled_by",
                "acknowledged",
            ]
        )
    return ticket
