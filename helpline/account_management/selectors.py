"""Account management reads, scoped by ``accounts.access``: the account manager's
home, the merchant's view of their account managers, call requests, the contact log, tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from helpline.account_management.models import (
    AmTask,
    CallRequest,
    ContactLogEntry,
    SupportRequest,
)
from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core.errors import NotFound
from helpline.core.validation import id_in_range
from helpline.engineering import selectors as engineering
from helpline.merchants.models import Store
from helpline.merchants.selectors import visible_stores
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import Ticket

HOME_LIMIT = 200
PRIORITY_ORDER = {"C1": 0, "C2": 1, "C3": 2, "C4": 3}


def managed_stores(user: User | None) -> QuerySet[Store]:
    """The stores ``user`` acts for as account manager: an account manager's own; agents and
    admins stand in for every store."""
    if not access.is_account_manager(user) and not access.is_staff(user):
        return visible_stores(user).none()
    return visible_stores(user).order_by("name")


@dataclass
class AccountManagerCard:
    store: Store
    manager: User | None
    team: str
    partner: bool
    email: str
    whatsapp: str
    phone: str
    call_requests: list[CallRequest] = field(default_factory=list)
    support_request: SupportRequest | None = None  # pending: asked for, no manager yet


def account_managers_for(user: User) -> list[AccountManagerCard]:
    """The merchant's dashboard: each visible store's account manager and how to reach them."""
    stores = list(
        visible_stores(user)
        .select_related("account_manager")
        .prefetch_related("account_manager__teams")
        .order_by("name")[:HOME_LIMIT]
    )
    requests: dict[int, list[CallRequest]] = {}
    for req in CallRequest.objects.filter(
        store__in=stores, status__in=["open", "scheduled"]
    ).order_by("-pk")[:HOME_LIMIT]:
        requests.setdefault(req.store_id, []).append(req)
    pending = {
        r.store_id: r
        for r in SupportRequest.objects.filter(
            store__in=stores, status=SupportRequest.Status.PENDING
        ).select_related("requested_by")
    }
    cards = []
    for store in stores:
        manager = store.account_manager
        teams = list(manager.teams.all()) if manager is not None else []
        team = teams[0] if teams else None
        cards.append(
            AccountManagerCard(
                store=store,
                manager=manager,
                team=team.name if team else "",
                partner=bool(team and team.partner),
                email=manager.email if manager else "",
                whatsapp=manager.whatsapp if manager else "",
                phone=manager.phone if manager else "",
                call_requests=requests.get(store.pk, []),
                support_request=pending.get(store.pk),
            )
        )
    return cards


@dataclass
class Home:
    stores: list[Store]
    open_tickets: list[Ticket]
    breaches: list[Ticket]
    engineering: list[Any]
    upcoming: list[ContactLogEntry]
    call_requests: list[CallRequest]
    tasks: list[AmTask]


def am_home(*, user: User, now: datetime) -> Home:
    stores = list(managed_stores(user)[:HOME_LIMIT])
    tickets = ticket_selectors.open_tickets_of_stores([s.pk for s in stores], limit=HOME_LIMIT)
    far = datetime.max.replace(tzinfo=now.tzinfo)
    tickets.sort(key=lambda t: (PRIORITY_ORDER.get(t.priority, 9), t.due_at or far, t.pk))
    return Home(
        stores=stores,
        open_tickets=tickets,
        breaches=[t for t in tickets if getattr(t, "breached", False)],
        engineering=engineering.open_for_stores(user=user, stores=stores),
        upcoming=list(
            ContactLogEntry.objects.filter(
                store__in=stores,
                channel__in=["meeting", "training"],
                ends_at__gte=now,
            )
            .select_related("store")
            .order_by("happened_at")[:HOME_LIMIT]
        ),
        call_requests=list(
            CallRequest.objects.filter(store__in=stores, status__in=["open", "scheduled"])
            .select_related("store", "requested_by")
            .order_by("pk")[:HOME_LIMIT]
        ),
        tasks=list(
            AmTask.objects.filter(store__in=stores, done_at__isnull=True)
            .select_related("store", "ticket")
            .order_by("pk")[:HOME_LIMIT]
        ),
    )


def contact_entries(*, user: User, store: Store, limit: int = 200) -> list[ContactLogEntry]:
    """The store's contact log, newest first: staff who see the store, and the merchant (it is
    their own history with us)."""
    if not access.may_file_for(user, store):
        raise NotFound("store not found")
    return list(
        ContactLogEntry.objects.filter(store=store)
        .select_related("author")
        .prefetch_related("tickets")
        .order_by("-happened_at", "-pk")[:limit]
    )


def call_requests(*, user: User, store: Store) -> list[CallRequest]:
    if not access.may_file_for(user, store):
        raise NotFound("store not found")
    return list(
        CallRequest.objects.filter(store=store)
        .select_related("requested_by")
        .order_by("-pk")[:HOME_LIMIT]
    )


def call_request_get(*, user: User, request_id: int) -> CallRequest:
    if not id_in_range(request_id):
        raise NotFound("call request not found")
    found = (
        CallRequest.objects.filter(pk=request_id, store__in=visible_stores(user).values("pk"))
        .select_related("store", "requested_by")
        .first()
    )
    if found is None:
        raise NotFound("call request not found")
    return found


def tasks_for(*, user: User, open_only: bool = True) -> list[AmTask]:
    qs = AmTask.objects.filter(store__in=managed_stores(user).values("pk"))
    if open_only:
        qs = qs.filter(done_at__isnull=True)
    return list(qs.select_related("store", "ticket").order_by("-pk")[:HOME_LIMIT])


def task_get(*, user: User, task_id: int) -> AmTask:
    if not id_in_range(task_id):
        raise NotFound("task not found")
    task = (
        AmTask.objects.filter(pk=task_id, store__in=visible_stores(user).values("pk"))
        .select_related("store", "ticket")
        .first()
    )
    if task is None or not (access.is_staff(user)):
        raise NotFound("task not found")
    return task


def support_requests_pending(user: User | None) -> list[SupportRequest]:
    """Requests for account-manager support still waiting for an account manager, oldest
    first: for admins (who assign); nobody else."""
    if not access.is_admin(user):
        return []
    return list(
        SupportRequest.objects.filter(status=SupportRequest.Status.PENDING)
        .select_related("store", "store__merchant", "requested_by")
        .order_by("created_at", "pk")[:HOME_LIMIT]
    )


def support_request_for(store: Store) -> SupportRequest | None:
    """The store's pending request (the caller loaded the store through the scoped selector)."""
    return SupportRequest.objects.filter(store=store, status=SupportRequest.Status.PENDING).first()
