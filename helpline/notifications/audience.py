"""Who hears of one ticket event, and why (the table in ``rules``' docstring)."""

from __future__ import annotations

from typing import Any

from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import Role, User
from helpline.notifications import escalation, paging
from helpline.tickets.events import SYSTEM_KINDS, EventKind

MERCHANT_KINDS = frozenset(
    {
        EventKind.CREATED,
        EventKind.STATUS,
        EventKind.PRIORITY,
        EventKind.DUE_DATE,
        EventKind.QUOTE,
        EventKind.QUOTE_APPROVED,
        EventKind.QUOTE_DECLINED,
        EventKind.QUOTE_EXPIRED,
        EventKind.WORKAROUND,
        EventKind.RESOLVED,
        EventKind.REOPENED,
        EventKind.WITHDRAWN,
    }
)
Heard = list[tuple[User, str]]


def after_id(event: Any) -> int | None:
    return event.after if isinstance(event.after, int) else None


def _merchant(event: Any, ticket: Any, actor: User | None) -> Heard:
    requester = ticket.requester if ticket.requester_id else None
    if requester is None or requester.role != Role.MERCHANT or not event.public:
        return []
    kind, after = event.kind, event.after or {}
    if kind in MERCHANT_KINDS and (
        kind == EventKind.CREATED or actor is None or actor.pk != requester.pk
    ):
        return [(requester, "merchant")]
    if kind == EventKind.PLATFORM_INCIDENT and not after.get("at_opening"):
        return [(requester, "merchant")]  # at opening, the acknowledgement names it
    if kind == EventKind.ROOT_CAUSE:
        return [(requester, "merchant")]  # its report is published (decision 0229)
    if kind == EventKind.MESSAGE and after.get("from_staff"):
        return [(requester, "staff_reply")]
    return []


def _staff(event: Any, ticket: Any) -> Heard:
    """The assignee: their work, merchant replies. Warnings and breaches: the escalation
    chain's step (``escalation``). A merchant asking for a higher priority: the assignee and
    the team lead, as does a passed due date (one level up when neither is there)."""
    kind, after = event.kind, event.after or {}
    assignee = ticket.assignee if ticket.assignee_id else None
    out: Heard = []
    mine = kind == EventKind.ASSIGNEE and assignee is not None and assignee.pk == after_id(event)
    # A storm's tickets are worked from the incident's page and the console: no mail for each
    # of thousands of assignments (decision 0140).
    if mine and assignee is not None and not paging.in_platform_incident(ticket):
        out.append((assignee, "assignee"))
    if kind == EventKind.MESSAGE and not after.get("from_staff") and assignee is not None:
        out.append((assignee, "merchant_reply"))
    if kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACHED):
        out.extend(escalation.chain(event, ticket))
    if kind == EventKind.MERCHANT_ASKS_PRIORITY:
        people = escalation.people(("assignee", "lead"), ticket, event.created_at)
        out.extend((u, "asks_priority") for u in people)
    if kind == EventKind.DUE_PASSED:  # the promise to the merchant is broken: both, at once
        people = escalation.people(("assignee", "lead"), ticket, event.created_at)
        out.extend((u, "due_passed") for u in people)
    return out


def _account_manager(event: Any, ticket: Any) -> Heard:
    """C1 and C2 (opened, or raised to), engineering's news, quotes declined (the assignee)."""
    kind = event.kind
    assignee = ticket.assignee if ticket.assignee_id else None
    manager = ticket.store.account_manager if ticket.store.account_manager_id else None
    out: Heard = []
    if manager is not None and (
        (kind == EventKind.CREATED and ticket.priority in ("C1", "C2"))
        or (
            kind == EventKind.PRIORITY
            and event.after in ("C1", "C2")
            and event.before not in ("C1", "C2")
        )
    ):
        out.append((manager, "account_manager"))
    if kind == EventKind.ENGINEERING_DONE:  # the agent and the account manager are told
        out.extend((u, "engineering_done") for u in (assignee, manager) if u is not None)
    if kind == EventKind.QUOTE_DECLINED and assignee is not None:  # back to staff with the reason
        out.append((assignee, "quote_declined"))
    return out


def _on_call(event: Any, ticket: Any) -> Heard:
    """A C1 after hours pages whoever is on call (nobody on call: the team lead, else the
    admins); so does a store monitor's ticket, at any hour, with the merchant's people and the
    account manager. A C1 that opens inside a platform incident pages nobody: the incident's
    one page stands for it (``paging.platform_incident``)."""
    kind = event.kind
    out: Heard = []
    paged = kind == EventKind.CREATED and not paging.in_platform_incident(ticket)
    if paged and ticket.priority == "C1" and paging.after_hours(ticket, event.created_at):
        on_call = escalation.people(("on_call",), ticket, event.created_at)
        out.extend((user, "on_call") for user in on_call)
    monitor_kinds = (EventKind.CREATED, EventKind.MONITOR, EventKind.PLATFORM_INCIDENT)
    if ticket.channel == "monitor" and kind in monitor_kinds:
        # Opened by the store monitor (no requester).
        told = event.public and not (event.after or {}).get("at_opening")
        if kind == EventKind.CREATED or told:
            out.extend(
                (u, "merchant")
                for u in account_selectors.merchant_users([ticket.merchant_id], by_name=True)
            )
        if ticket.store.account_manager_id and kind != EventKind.PLATFORM_INCIDENT:
            out.append((ticket.store.account_manager, "account_manager"))
        if paged:
            out.extend((user, "on_call") for user in paging.on_call(event.created_at))
    return out


def _unrouted(event: Any, ticket: Any) -> Heard:
    """Routing found nobody (told once a ticket): the team's lead, else the admins. (A C1
    after hours already paged the on-call when it opened; the rota covers no business hour.)"""
    if event.kind != EventKind.UNROUTED or not (event.after or {}).get("notify"):
        return []
    lead = ticket.team.lead if ticket.team_id and ticket.team.lead_id else None
    if lead is not None and lead.is_active:
        return [(lead, "unrouted")]
    return [(u, "unrouted") for u in account_selectors.admins()]


def audience(event: Any, ticket: Any, actor: User | None) -> Heard:
    """(person, why) pairs for one event: each person once (the first reason), active people
    only, and nobody for their own action (but the acknowledgement of a ticket they opened,
    and the clocks' warnings and breaches)."""
    kind = event.kind
    found = [
        *_merchant(event, ticket, actor),
        *_staff(event, ticket),
        *_account_manager(event, ticket),
        *_on_call(event, ticket),
        *_unrouted(event, ticket),
    ]
    seen: set[int] = set()
    result = []
    for user, why in found:
        if user.pk in seen or not user.is_active:
            continue
        own = actor is not None and user.pk == actor.pk and kind not in SYSTEM_KINDS
        if own and kind != EventKind.CREATED:
            continue
        seen.add(user.pk)
        result.append((user, why))
    return result
