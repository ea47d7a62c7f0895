"""Opening a ticket: who may file it for the store, its fields from the current SLA policy, its
clocks, and the ``created`` event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core import clock
from helpline.core.errors import Forbidden, InvalidInput, NotFound
from helpline.core.prepared import insert
from helpline.merchants.models import Store
from helpline.sla import selectors as sla_selectors
from helpline.sla.defaults import FIRST_RESPONSE, RESOLUTION
from helpline.sla.policy import Policy
from helpline.tickets import clocks
from helpline.tickets import events as kinds
from helpline.tickets.attachments import Upload, attachments_store
from helpline.tickets.events import EventSpec
from helpline.tickets.models import Channel, Status, Ticket, TicketClock
from helpline.tickets.services.change import write_events
from helpline.tickets.services.checks import (
    BODY_MAX,
    SUBJECT_MAX,
    text,
    valid_issue_type,
    valid_priority,
)


def _check_filer(actor: User | None, store: Store, on_behalf_of: User | None) -> None:
    """404 if ``actor`` may not file for the store, 403 for engineers; only staff file on a
    merchant user's behalf, and only for a user of that merchant."""
    if actor is not None and not access.may_file_for(actor, store):
        if access.is_active(actor) and actor.role == "engineer":
            raise Forbidden("engineers do not open merchant tickets", code="action_forbidden")
        raise NotFound("store not found")
    if on_behalf_of is None:
        return
    if not access.is_staff(actor):
        raise Forbidden("only staff raise tickets on a merchant's behalf", code="action_forbidden")
    if on_behalf_of.merchant_id != store.merchant_id or not on_behalf_of.is_active:
        raise InvalidInput(
            f"{on_behalf_of.email} is not a user of {store.merchant}", code="invalid_requester"
        )


def _chosen_priority(policy: Policy, issue_type: str, priority: str | None) -> str:
    if priority:
        return valid_priority(policy, priority)
    return policy.issue_types[issue_type].default_priority


def _start_clocks(ticket: Ticket, policy: Policy, *, now: datetime) -> dict[str, TicketClock]:
    specs = policy.targets_for(ticket.priority, ticket.issue_type)
    new = [clocks.new_clock(ticket, spec, at=now, paused=False) for spec in specs.values()]
    insert(new)
    # What a reader would load: callers can present the ticket without reading it back.
    ticket.current_clocks = sorted(new, key=lambda c: c.kind)  # type: ignore[attr-defined]
    return {c.kind: c for c in new}


def _created(
    ticket: Ticket,
    by_kind: dict[str, TicketClock],
    policy: Policy,
    *,
    on_behalf_of: User | None,
    at: datetime,
) -> EventSpec:
    return kinds.created(
        status=Status.NEW,
        priority=ticket.priority,
        issue_type=ticket.issue_type,
        channel=ticket.channel,
        first_response_due=by_kind[FIRST_RESPONSE].deadline,
        resolution_due=by_kind[RESOLUTION].deadline,
        policy_version=policy.number,
        unverified_sender=ticket.unverified_sender,
        on_behalf_of=on_behalf_of.pk if on_behalf_of else None,
        at=at,
    )


def ticket_create(
    *,
    actor: User | None,
    store: Store,
    subject: str,
    description: str,
    issue_type: str,
    priority: str | None = None,
    channel: str = Channel.API,
    now: datetime | None = None,
    unverified_sender: bool = False,
    files: Sequence[Upload] = (),
    on_behalf_of: User | None = None,
) -> Ticket:
    """Open a ticket; its clocks start now (counting from the next opening on business hours).
    ``unverified_sender``: mail from an address that is no contact of the merchant (staff
    check it on triage). ``files``: attachments stored with it; what the limits refuse is on
    ``ticket.refused_files``. Staff who may file for the store (its account manager …) may name
    the merchant user it is raised for (``on_behalf_of``): they are its requester and hear of
    it."""
    now = now or clock.now()
    _check_filer(actor, store, on_behalf_of)
    subject = text(subject, "subject", SUBJECT_MAX)
    description = text(description, "description", BODY_MAX)
    if channel not in Channel.values:
        raise InvalidInput(f"unknown channel {channel!r}", code="invalid_channel")
    with transaction.atomic(), sla_selectors.read_once():
        policy = sla_selectors.current_policy()
        issue_type = valid_issue_type(policy, issue_type)
        ticket = Ticket(
            merchant_id=store.merchant_id,
            store=store,
            requester=on_behalf_of or actor,
            subject=subject,
            description=description,
            issue_type=issue_type,
            priority=_chosen_priority(policy, issue_type, priority),
            status=Status.NEW,
            channel=channel,
            policy_version_id=policy.version_id,
            unverified_sender=unverified_sender,
            created_at=now,
            updated_at=now,
        )
        insert([ticket])
        by_kind = _start_clocks(ticket, policy, now=now)
        ticket.store = store
        ticket.merchant = store.merchant
        created = _created(ticket, by_kind, policy, on_behalf_of=on_behalf_of, at=now)
        write_events(ticket, actor, [created])
        _stored, refused = attachments_store(ticket=ticket, message=None, files=files, now=now)
        ticket.refused_files = refused  # type: ignore[attr-defined]
    return ticket
