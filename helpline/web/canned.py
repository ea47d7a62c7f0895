"""Canned replies and saved views: the console's own conveniences (web-owned tables)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import QueryDict

from helpline.accounts.models import User
from helpline.core.errors import Conflict, InvalidInput, NotFound
from helpline.tickets.models import Ticket
from helpline.web.models import CannedReply, SavedView

SAVED_VIEW_KEYS = ("q", "priority", "store", "team", "order")
MAX_SAVED_VIEWS = 30


class _Keep(dict[str, str]):
    """Unknown placeholders stay as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Canned:
    title: str
    text: str


def fill(body: str, ticket: Ticket, agent: User) -> str:
    values = _Keep(
        merchant=ticket.merchant.name,
        store=ticket.store.name,
        reference=ticket.reference,
        subject=ticket.subject,
        agent=agent.first_name or agent.email,
        requester="",
    )
    try:
        return body.format_map(values)
    except (ValueError, IndexError, AttributeError):
        return body  # a stray brace: show the text as written


def canned_replies(ticket: Ticket, agent: User) -> list[Canned]:
    return [
        Canned(c.title, fill(c.body, ticket, agent))
        for c in CannedReply.objects.filter(active=True).order_by("title")
    ]


def saved_views(user: User) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user).order_by("name"))


def clean_query(raw: str) -> str:
    """Only the queue and its filters are kept from a query string."""
    given = QueryDict(raw.lstrip("?"))
    kept = QueryDict(mutable=True)
    for key in SAVED_VIEW_KEYS:
        values = [v for v in given.getlist(key) if v]
        if values:
            kept.setlist(key, values[:10])
    return kept.urlencode()[:500]


def saved_view_create(*, user: User, name: str, query: str) -> SavedView:
    name = name.strip()[:60]
    if not name:
        raise InvalidInput("give the view a name", code="name_required")
    if SavedView.objects.filter(user=user).count() >= MAX_SAVED_VIEWS:
        raise InvalidInput(f"at most {MAX_SAVED_VIEWS} saved views", code="too_many")
    try:
        with transaction.atomic():
            return SavedView.objects.create(user=user, name=name, query=clean_query(query))
    except IntegrityError:
        raise Conflict(f"you have a view called {name!r} already", code="exists") from None


def saved_view_delete(*, user: User, view_id: int) -> None:
    """One's own saved view; another person's (or none) is not found, as if it did not exist."""
    deleted, _ = SavedView.objects.filter(user=user, pk=view_id).delete()
    if not deleted:
        raise NotFound("saved view not found", code="not_found")
