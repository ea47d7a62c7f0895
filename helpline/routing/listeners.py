"""How routing hears of tickets and people: a new ticket is routed, a reopened one whose
assignee is absent moves, an issue type change moves the routed team, the first response's
50 % warning (the escalation chain's first step) moves it from an absent assignee; an agent
deactivated or deleted hands on their open tickets. Registered in ``RoutingConfig.ready``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.core import clock
from helpline.routing import assignment, selectors
from helpline.sla.defaults import FIRST_RESPONSE
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.events import EventKind
from helpline.tickets.services import ticket_update

HALF = 50  # the escalation chain's first step: the reassignment hook (decision 0088)


def ticket_events_written(*, ticket: Any, actor: User | None, events: Sequence[Any]) -> None:
    by_kind = {e.kind: e for e in events}
    if EventKind.CREATED in by_kind:
        assignment.route_new(ticket=ticket, now=by_kind[EventKind.CREATED].created_at)
        return
    if EventKind.REOPENED in by_kind:
        assignment.reroute_on_reopen(ticket=ticket, now=by_kind[EventKind.REOPENED].created_at)
    if EventKind.ISSUE_TYPE in by_kind:
        _follow_issue_type(ticket, actor, by_kind[EventKind.ISSUE_TYPE])
    half = next((e for e in events if _first_response_at_half(e)), None)
    if half is not None:
        assignment.reassign_if_absent(ticket=ticket, now=half.created_at)


def _first_response_at_half(event: Any) -> bool:
    """The first response's warning at 50 % (several steps may be written in one sweep)."""
    after = event.after if isinstance(event.after, dict) else {}
    return bool(
        event.kind == EventKind.SLA_WARNING
        and after.get("target") == FIRST_RESPONSE
        and after.get("percent") == HALF
    )


def _follow_issue_type(ticket: Any, actor: User | None, event: Any) -> None:
    """The team follows the issue type when it was the routed one (a team staff chose by hand
    stays); a ticket still unassigned is routed again."""
    old_team = selectors.team_for(str(event.before))
    new_team = selectors.team_for(str(event.after))
    if ticket.team_id == old_team and new_team not in (None, old_team) and access.is_staff(actor):
        ticket_update(actor=actor, ticket=ticket, team=new_team, now=event.created_at)
        ticket.team_id = new_team
    if ticket.assignee_id is None:
        assignment.route(ticket=ticket, now=event.created_at, why="issue type changed")


def user_saved(sender: Any, instance: User, created: bool = False, **kwargs: Any) -> None:
    """An agent deactivated with open tickets: every one of them is routed again."""
    if created or instance.is_active or instance.role not in access.STAFF_ROLES:
        return
    if ticket_selectors.open_assigned(instance.pk):
        assignment.agent_gone(user=instance, now=clock.now(), why=f"{instance} deactivated")


def user_deleting(sender: Any, instance: User, **kwargs: Any) -> None:
    """An agent deleted: their open tickets are routed again before the row goes."""
    if instance.pk and ticket_selectors.open_assigned(instance.pk):
        assignment.agent_gone(user=instance, now=clock.now(), why=f"{instance} was deleted")
