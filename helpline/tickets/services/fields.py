"""Changes of a ticket's fields that more than one service makes (triage and ``ticket_update``):
priority and issue type (the targets are raised or lowered), assignee, team."""

from __future__ import annotations

from helpline.accounts import access
from helpline.accounts import selectors as people
from helpline.accounts.models import Team, User
from helpline.core.errors import InvalidInput
from helpline.sla import selectors as sla_selectors
from helpline.tickets import events as kinds
from helpline.tickets.services.change import TicketChange
from helpline.tickets.services.checks import policy_for, valid_issue_type, valid_priority


def retarget(change: TicketChange, *, priority: str, issue_type: str, reason: str) -> None:
    """Re-prioritising never buys time (``tickets.clocks.retarget``): each target moves to the
    new priority's (and issue type's) target, raised or lowered; met targets stay met."""
    specs = policy_for(change.ticket).targets_for(priority, issue_type)
    with sla_selectors.read_once():  # the calendars are read once for every target
        for kind in list(change.clocks):
            change.retarget(kind, specs[kind], priority=priority, reason=reason)


def change_priority(
    change: TicketChange, *, priority: str | None, issue_type: str | None, reason: str
) -> None:
    ticket = change.ticket
    policy = policy_for(ticket)
    new_priority = valid_priority(policy, priority) if priority else ticket.priority
    new_type = valid_issue_type(policy, issue_type) if issue_type else ticket.issue_type
    if new_priority == ticket.priority and new_type == ticket.issue_type:
        return
    if not reason.strip():
        raise InvalidInput(
            "changing the priority or issue type needs a reason",
            code="reason_required",
            field="reason",
        )
    if new_priority != ticket.priority:
        change.add(kinds.priority(before=ticket.priority, after=new_priority, reason=reason))
        change.set("priority", new_priority)
    if new_type != ticket.issue_type:
        change.add(kinds.issue_type(before=ticket.issue_type, after=new_type, reason=reason))
        change.set("issue_type", new_type)
    retarget(change, priority=new_priority, issue_type=new_type, reason=reason)


def set_assignee(change: TicketChange, assignee: User | int | None, *, reason: str = "") -> None:
    ticket = change.ticket
    if isinstance(assignee, int):
        assignee = people.staff_member(assignee)
    if assignee is not None and not access.is_staff(assignee):
        raise InvalidInput(f"{assignee.email} is not a member of staff", code="invalid_assignee")
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return
    after = assignee.pk if assignee else None
    change.add(kinds.assignee(before=ticket.assignee_id, after=after, reason=reason))
    change.set("assignee", assignee)


def set_team(change: TicketChange, team: Team | int | None) -> None:
    ticket = change.ticket
    if isinstance(team, int):
        team = people.team_by_id(team)
    if ticket.team_id == (team.pk if team else None):
        return
    change.add(kinds.team(before=ticket.team_id, after=team.pk if team else None))
    change.set("team", team)
