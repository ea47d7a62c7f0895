"""Master incidents and merges (decision 0043): one service per action, each one transaction.

- ``ticket_link`` / ``ticket_unlink``: staff link a merchant's ticket to a master ticket (a
  platform incident). A master is never itself linked, and a linked ticket is never a master.
- ``master_update``: a public update on the master is posted, through ``ticket_reply``, on the
  master and on every open linked ticket — so each merchant gets the message, an event and a
  notification of their own, and their first-response clock is met like any public reply.
- ``master_resolve``: resolves the master and every open linked ticket, each through
  ``ticket_resolve`` with a note naming the incident's resolution.
- ``tickets_merge``: a merchant's duplicate tickets are merged into a surviving ticket: every
  message and event of a duplicate moves to the survivor (rows are moved, never rewritten or
  lost), the duplicate is closed with its clocks stopped, and both get a ``merged`` event.

Linked merchants never see the master's reference or other merchants: the public event on a
linked ticket says only that it joined a platform incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from helpline.accounts.models import User
from helpline.core import clock
from helpline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpline.tickets import access as ticket_access
from helpline.tickets import clocks
from helpline.tickets import events as kinds
from helpline.tickets.events import EventSpec
from helpline.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    Status,
    Ticket,
    TicketEvent,
    TicketMessage,
)
from helpline.tickets.services.actions import ticket_resolve
from helpline.tickets.services.change import TicketChange, write_events
from helpline.tickets.services.messages import ticket_reply

MERGE_MAX = 50
OPEN = {s.value for s in OPEN_STATUSES}


def _staff_lock(actor: User | None, *tickets: Ticket | int) -> dict[int, Ticket]:
    """Lock the tickets in id order (never a deadlock); 404 if ``actor`` may not see one of
    them, then 403 unless they act on all of them as staff."""
    ids = sorted({t.pk if isinstance(t, Ticket) else t for t in tickets})
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .select_related("store")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    capacities = {pk: ticket_access.capacity(actor, t) for pk, t in locked.items()}
    if len(locked) != len(ids) or None in capacities.values():
        raise NotFound("ticket not found")
    if any(cap != "staff" for cap in capacities.values()):
        raise Forbidden("only staff link, update and merge incidents", code="action_forbidden")
    return locked


def _event(ticket: Ticket, actor: User | None, now: datetime, spec: EventSpec) -> None:
    spec.at = now
    write_events(ticket, actor, [spec])


def ticket_link(
    *, actor: User | None, ticket: Ticket, master: Ticket, now: datetime | None = None
) -> Ticket:
    """Link ``ticket`` to the master incident ``master``."""
    now = now or clock.now()
    with transaction.atomic():
        locked = _staff_lock(actor, ticket, master)
        child, parent = locked[ticket.pk], locked[master.pk]
        if child.pk == parent.pk:
            raise InvalidInput("a ticket cannot be its own master", code="master_self")
        if parent.master_id is not None:
            raise Conflict(f"{parent.reference} is itself linked to a master", code="master_linked")
        if Ticket.objects.filter(master=child).exists():
            raise Conflict(f"{child.reference} is a master of other tickets", code="is_master")
        if child.status not in OPEN or parent.status not in OPEN:
            raise Conflict("only open tickets are linked", code="not_open")
        if child.master_id == parent.pk:
            return child
        before = child.master_id
        child.master = parent
        child.updated_at = now
        child.save(update_fields=["master", "updated_at"])
        _event(child, actor, now, kinds.incident_linked(before=before, master=parent.pk))
        _event(parent, actor, now, kinds.incident_child_added(ticket=child.pk))
    return child


def ticket_unlink(*, actor: User | None, ticket: Ticket, now: datetime | None = None) -> Ticket:
    now = now or clock.now()
    with transaction.atomic():
        child = _staff_lock(actor, ticket)[ticket.pk]
        if child.master_id is None:
            return child
        before = child.master_id
        child.master = None
        child.updated_at = now
        child.save(update_fields=["master", "updated_at"])
        _event(child, actor, now, kinds.incident_unlinked(before=before))
    return child


def _open_linked(master: Ticket) -> list[Ticket]:
    return list(
        Ticket.objects.filter(master=master, status__in=OPEN).select_related("store").order_by("pk")
    )


def master_update(
    *, actor: User | None, master: Ticket, body: str, now: datetime | None = None
) -> int:
    """Post ``body`` publicly on the master and on every open linked ticket; returns how many
    linked tickets were updated."""
    now = now or clock.now()
    with transaction.atomic():
        parent = _staff_lock(actor, master)[master.pk]
        linked = _open_linked(parent)
        ticket_reply(actor=actor, ticket=parent, body=body, channel=Channel.STAFF, now=now)
        for child in linked:
            ticket_reply(actor=actor, ticket=child, body=body, channel=Channel.STAFF, now=now)
    return len(linked)


def master_resolve(
    *, actor: User | None, master: Ticket, message: str, now: datetime | None = None
) -> int:
    """Resolve the master and every open linked ticket (a note each); returns how many linked
    tickets were resolved."""
    now = now or clock.now()
    with transaction.atomic():
        parent = _staff_lock(actor, master)[master.pk]
        linked = _open_linked(parent)
        ticket_resolve(actor=actor, ticket=parent, message=message, now=now)
        for child in linked:
            ticket_resolve(
                actor=actor,
                ticket=child,
                message=f"The platform incident behind this ticket is resolved: {message}",
                reason="resolved with its master incident",
                now=now,
            )
    return len(linked)


def tickets_merge(
    *,
    actor: User | None,
    survivor: Ticket,
    duplicates: Sequence[Ticket],
    reason: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Merge a merchant's ``duplicates`` into ``survivor``: their messages and events move to
    the survivor; each duplicate is closed, its clocks stopped; an event on both sides."""
    now = now or clock.now()
    if not duplicates:
        raise InvalidInput("name at least one duplicate to merge", code="merge_empty")
    if len(duplicates) > MERGE_MAX:
        raise InvalidInput(f"merge at most {MERGE_MAX} tickets at once", code="merge_too_many")
    with transaction.atomic():
        ids = sorted({survivor.pk, *(d.pk for d in duplicates)})
        if len(ids) != len(duplicates) + 1:
            raise InvalidInput("a ticket cannot be merged into itself", code="merge_self")
        locked = _staff_lock(actor, *ids)
        keep = locked[survivor.pk]
        if keep.status == Status.CLOSED:
            raise Conflict(f"{keep.reference} is closed", code="not_open")
        for dup in (locked[d.pk] for d in duplicates):
            if dup.merchant_id != keep.merchant_id:
                raise InvalidInput(
                    "only one merchant's tickets are merged", code="merge_other_merchant"
                )
            if dup.status == Status.CLOSED:
                raise Conflict(f"{dup.reference} is closed", code="not_open")
            if Ticket.objects.filter(master=dup).exists():
                raise Conflict(f"{dup.reference} is a master of other tickets", code="is_master")
            moved = {
                "messages": TicketMessage.objects.filter(ticket=dup).update(ticket=keep),
                "events": TicketEvent.objects.filter(ticket=dup).update(ticket=keep),
                # Files go with their messages (and those of the duplicate's description).
                "attachments": Attachment.objects.filter(ticket=dup).update(ticket=keep),
            }
            change = TicketChange(dup, actor, now)
            change.each_clock(clocks.stop)
            change.set("closed_at", now)
            change.set_status(Status.CLOSED, reason=f"merged into {keep.reference}")
            into = {"ticket": keep.pk, "reference": keep.reference, **moved}
            change.add(kinds.merged_into(into=into, reason=reason))
            change.save()
            came = {"ticket": dup.pk, "reference": dup.reference, "subject": dup.subject, **moved}
            _event(keep, actor, now, kinds.merged(came=came, reason=reason))
        keep.updated_at = now
        keep.save(update_fields=["updated_at"])
    return keep
