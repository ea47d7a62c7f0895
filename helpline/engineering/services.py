"""Developer tickets: open one for merchant tickets (escalate), link more, change its
status, engineer or ETA. The merchant tickets' side goes through ``engineering.escalation`` (events,
the due date moved by an ETA, a note the merchant sees); when every developer ticket of a merchant
ticket is done, its assignee and account manager are told (the ``engineering_done`` event's
notification rule) and the account manager gets a "tell the merchant" task (account management
listens for that event).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from helpline.accounts import access
from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import Role, User
from helpline.core import clock
from helpline.core.errors import Forbidden, InvalidInput, NotFound
from helpline.core.validation import bounded_instant, has_control
from helpline.engineering import access as engineering_access
from helpline.engineering import escalation
from helpline.engineering.models import DevComment, DevTicket
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.events import EventKind
from helpline.tickets.models import Ticket

UNSET: Any = object()
TEXT_MAX = 20_000
DONE = DevTicket.Status.DONE


def _title(value: str | None) -> str:
    value = (value or "").strip()
    if has_control(value):
        raise InvalidInput("text must not contain control characters (NUL, …)", code="invalid_text")
    if not value:
        raise InvalidInput("a developer ticket needs a title", code="title_required")
    if len(value) > 200:
        raise InvalidInput("the title is longer than 200 characters", code="title_too_long")
    return value


def _text(value: str | None, name: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{name.replace('_', ' ')} is empty", code=f"invalid_{name}")
    if len(text) > TEXT_MAX or has_control(text):
        raise InvalidInput(
            f"{name.replace('_', ' ')}: at most {TEXT_MAX} characters, no control characters",
            code=f"invalid_{name}",
        )
    return text


def _engineer(engineer_id: int | None) -> User | None:
    if engineer_id is None:
        return None
    user = account_selectors.active_user(engineer_id, role=Role.ENGINEER)
    if user is None:
        raise InvalidInput(f"engineer: no engineer with id {engineer_id}", code="invalid_engineer")
    return user


def _eta(eta: datetime | None, now: datetime) -> datetime | None:
    if eta is None:
        return None
    try:
        clock.ensure_aware(eta, name="eta")
        eta = bounded_instant(eta)
    except ValueError as exc:
        raise InvalidInput(f"eta {exc}", code="invalid_eta") from None
    if eta <= now:
        raise InvalidInput("the ETA must be in the future", code="invalid_eta")
    return eta


def _merchant_tickets(actor: User, ticket_ids: Iterable[int]) -> list[Ticket]:
    """The tickets to link: each one the actor sees (else 404) and may escalate (else 403)."""
    tickets = []
    for ticket_id in sorted({int(i) for i in ticket_ids}):
        ticket = ticket_selectors.ticket_get(user=actor, ticket_id=ticket_id)
        if not engineering_access.may_escalate(actor, ticket):
            raise Forbidden("your role may not escalate a ticket", code="action_forbidden")
        tickets.append(ticket)
    return tickets


def devticket_open(
    *,
    actor: User,
    title: str,
    ticket_ids: Iterable[int],
    description: str = "",
    engineer_id: int | None = None,
    eta: datetime | None = None,
    now: datetime | None = None,
) -> DevTicket:
    """Escalate: a developer ticket for one or more merchant tickets ("with engineering")."""
    now = now or clock.now()
    title = _title(title)
    if has_control(description):
        raise InvalidInput("text must not contain control characters (NUL, …)", code="invalid_text")
    ids = list(ticket_ids)
    if not ids:
        raise InvalidInput("link at least one merchant ticket", code="tickets_required")
    with transaction.atomic():
        tickets = _merchant_tickets(actor, ids)
        dev = DevTicket.objects.create(
            title=title,
            description=(description or "").strip(),
            engineer=_engineer(engineer_id),
            eta=_eta(eta, now),
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        dev.tickets.set(tickets)
        for ticket in tickets:
            _linked(actor, dev, ticket, now)
    return dev


def _linked(actor: User, dev: DevTicket, ticket: Ticket, now: datetime) -> None:
    escalation.ticket_engineering_event(
        actor=actor, ticket=ticket, kind=EventKind.ESCALATED, references=[dev.reference], now=now
    )
    if dev.eta is not None and dev.status != DONE:
        escalation.ticket_engineering_eta(
            actor=actor, ticket=ticket, eta=dev.eta, reference=dev.reference, now=now
        )


def devticket_link(
    *, actor: User, dev: DevTicket, ticket_id: int, now: datetime | None = None
) -> DevTicket:
    """Link one more merchant ticket to a developer ticket."""
    now = now or clock.now()
    with transaction.atomic():
        dev = _locked(actor, dev)
        (ticket,) = _merchant_tickets(actor, [ticket_id])
        if dev.tickets.filter(pk=ticket.pk).exists():
            return dev
        dev.tickets.add(ticket)
        _linked(actor, dev, ticket, now)
    return dev


def _locked(actor: User, dev: DevTicket) -> DevTicket:
    if not access.sees_engineering(actor):
        raise NotFound("developer ticket not found")
    locked = (
        DevTicket.objects.select_for_update()
        .filter(engineering_access.devticket_scope(actor), pk=dev.pk)
        .first()
    )
    if locked is None:
        raise NotFound("developer ticket not found")
    return locked


def devticket_update(
    *,
    actor: User,
    dev: DevTicket,
    status: str | None = None,
    engineer_id: int | None = UNSET,
    eta: datetime | None = UNSET,
    resolution_note: str | None = None,
    now: datetime | None = None,
) -> DevTicket:
    """Change the status (open, in progress, in review, done), the engineer, the ETA or the
    resolution note (what was done, for the agent who tells the merchant)."""
    now = now or clock.now()
    with transaction.atomic():
        dev = _locked(actor, dev)
        fields = {"updated_at"}
        if resolution_note is not None and resolution_note.strip() != dev.resolution_note:
            dev.resolution_note = _text(resolution_note, "resolution_note", required=False)
            fields.add("resolution_note")
        tickets = list(dev.tickets.select_related("store", "merchant").order_by("pk"))
        if engineer_id is not UNSET:
            dev.engineer = _engineer(engineer_id)
            fields.add("engineer")
        eta_moved = False
        if eta is not UNSET and eta != dev.eta:
            dev.eta = _eta(eta, now)
            fields.add("eta")
            eta_moved = dev.eta is not None
        finished = reopened = False
        if status is not None and status != dev.status:
            if status not in DevTicket.Status.values:
                raise InvalidInput(
                    f"status is one of: {', '.join(DevTicket.Status.values)}",
                    code="invalid_status",
                )
            finished, reopened = status == DONE, dev.status == DONE
            dev.status = status
            dev.done_at = now if finished else None
            fields |= {"status", "done_at"}
        dev.updated_at = now
        dev.save(update_fields=sorted(fields))
        if eta_moved and dev.eta is not None and dev.status != DONE:
            for ticket in tickets:
                escalation.ticket_engineering_eta(
                    actor=actor, ticket=ticket, eta=dev.eta, reference=dev.reference, now=now
                )
        if finished:
            for ticket in tickets:
                _maybe_all_done(actor, ticket, now)
        if reopened:
            for ticket in tickets:
                escalation.ticket_engineering_event(
                    actor=actor,
                    ticket=ticket,
                    kind=EventKind.ENGINEERING_REOPENED,
                    references=[dev.reference],
                    now=now,
                )
    return dev


def devticket_comment(
    *, actor: User, dev: DevTicket, body: str, now: datetime | None = None
) -> DevComment:
    """An engineer or staff member who sees the developer ticket comments on it."""
    now = now or clock.now()
    body = _text(body, "body", required=True)
    with transaction.atomic():
        dev = _locked(actor, dev)
        comment = DevComment.objects.create(dev=dev, author=actor, body=body, created_at=now)
        DevTicket.objects.filter(pk=dev.pk).update(updated_at=now)
    return comment


def _maybe_all_done(actor: User, ticket: Ticket, now: datetime) -> None:
    """Every developer ticket of ``ticket`` is done: tell its agent and account manager (the
    event's notification) and give the account manager a "tell the merchant" task."""
    devs = list(DevTicket.objects.filter(tickets=ticket).order_by("pk"))
    if any(d.status != DONE for d in devs):
        return
    refs = [d.reference for d in devs]
    # Account management hears of the event (a ticket listener) and opens the task.
    escalation.ticket_engineering_event(
        actor=actor, ticket=ticket, kind=EventKind.ENGINEERING_DONE, references=refs, now=now
    )
