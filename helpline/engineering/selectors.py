"""Reads of developer tickets, scoped by ``accounts.engineering_access.devticket_scope``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core.errors import NotFound
from helpline.core.validation import id_in_range
from helpline.engineering import access as engineering_access
from helpline.engineering.models import REFERENCE_PREFIX, DevComment, DevTicket
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import Ticket

DONE = DevTicket.Status.DONE


def visible_devtickets(user: User | None) -> QuerySet[DevTicket]:
    return (
        DevTicket.objects.filter(engineering_access.devticket_scope(user))
        .select_related("engineer", "created_by")
        .prefetch_related(Prefetch("tickets", queryset=ticket_selectors.linked_tickets()))
    )


def devticket_list(
    *, user: User | None, status: Sequence[str] = (), limit: int = 200
) -> list[DevTicket]:
    qs = visible_devtickets(user)
    if status:
        qs = qs.filter(status__in=list(status))
    return list(qs.order_by("-pk")[:limit])


def parse_reference(raw: str | int) -> int | None:
    text = str(raw).strip().upper()
    if text.startswith(REFERENCE_PREFIX):
        text = text[len(REFERENCE_PREFIX) :]
    try:
        value = int(text)
    except ValueError:
        return None
    return value if id_in_range(value) else None


def devticket_get(*, user: User | None, dev_id: int | str) -> DevTicket:
    pk = parse_reference(dev_id)
    found = visible_devtickets(user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotFound("developer ticket not found")
    return found


def for_ticket(*, user: User | None, ticket: Ticket) -> list[DevTicket]:
    """The developer tickets linked to a merchant ticket (none for merchants)."""
    if not access.sees_engineering(user):
        return []
    return list(DevTicket.objects.filter(tickets=ticket).select_related("engineer").order_by("pk"))


def engineering_state(ticket_ids: Iterable[int]) -> dict[int, str]:
    """Per merchant ticket: "with engineering" (a linked developer ticket is not done) or
    "engineering done" (all are); tickets with no link are absent. One query."""
    through = DevTicket.tickets.through
    state: dict[int, str] = {}
    rows = through.objects.filter(ticket_id__in=list(ticket_ids)).values_list(
        "ticket_id", "devticket__status"
    )
    for ticket_id, status in rows:
        if status != DONE:
            state[ticket_id] = "with engineering"
        else:
            state.setdefault(ticket_id, "engineering done")
    return state


def open_for_stores(*, user: User, stores: Sequence[Any]) -> list[DevTicket]:
    """Developer tickets not done that are linked to tickets of these stores."""
    return list(
        visible_devtickets(user)
        .filter(tickets__store__in=list(stores))
        .exclude(status=DONE)
        .distinct()
        .order_by("eta", "pk")[:200]
    )


def references_for(ticket_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per merchant ticket, the references of its developer tickets not done."""
    through = DevTicket.tickets.through
    out: dict[int, list[str]] = {}
    rows = (
        through.objects.filter(ticket_id__in=list(ticket_ids))
        .exclude(devticket__status=DONE)
        .values_list("ticket_id", "devticket_id")
        .order_by("devticket_id")
    )
    for ticket_id, dev_id in rows:
        out.setdefault(ticket_id, []).append(f"{REFERENCE_PREFIX}{dev_id}")
    return out


def devticket_comments(*, user: User | None, dev: DevTicket) -> list[DevComment]:
    """The comments of a developer ticket ``user`` sees (``dev`` came through the scope),
    oldest first, with their authors: one query."""
    if not access.sees_engineering(user):
        raise NotFound("developer ticket not found")
    return list(DevComment.objects.filter(dev=dev).select_related("author").order_by("pk")[:500])
