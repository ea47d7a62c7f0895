"""People and their time: teams and the issue types they own, agents' profiles, weekly
shifts, leave and status (available / away), and the on-call rota's gaps.

Staff read; administrators write — except an agent's own status, which they set themself.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from helpline.accounts import access
from helpline.accounts import selectors as people
from helpline.accounts.models import Team, User
from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import Id, In, errors
from helpline.core import clock
from helpline.core.errors import Forbidden, HelplineError, NotFound
from helpline.core.zones import zone_or_default
from helpline.routing import selectors, services
from helpline.routing.models import AgentProfile, Leave
from helpline.routing.validation import ShiftSpec

router = Router(tags=["routing"], auth=AUTH)
# A local time of day, "HH:MM" (in the agent's zone: not an RFC 3339 time with an offset).
LocalTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["10:00"])]
Code = Annotated[str, Field(min_length=1, max_length=64)]
FAR_DAY = date(2999, 12, 31)


def _staff(request: HttpRequest) -> User:
    user = user_of(request)
    if not access.is_staff(user):
        raise Forbidden("only staff see teams, agents and the rota")
    return user


def _agent(agent_id: int) -> User:
    user = people.user_by_id(agent_id)  # 404 when there is none
    if not access.is_staff(user):
        raise NotFound("agent not found")
    return user


def _team(team_id: int) -> Team:
    try:
        return people.team_by_id(team_id)
    except HelplineError:
        raise NotFound("team not found") from None


# ----------------------------------------------------------------------------------- teams


class TeamIn(In):
    name: str = Field(..., min_length=1, max_length=100)
    lead: Id | None = Field(None, description="A member of staff's id")
    members: list[Id] = Field(default_factory=list, max_length=500)
    issue_types: list[Code] = Field(
        default_factory=list, max_length=100, description="Issue type codes the team owns"
    )
    default: bool = Field(False, description="The team that owns every other issue type")


class TeamOut(Schema):
    id: int
    name: str
    lead: int | None
    members: list[int]
    issue_types: list[str]
    default: bool


@router.get("/teams", response={200: list[TeamOut], **errors(403)})
def team_list(request: HttpRequest) -> Any:
    _staff(request)
    return selectors.team_views()


def _fields(payload: TeamIn) -> services.TeamFields:
    return services.TeamFields(
        name=payload.name,
        lead_id=payload.lead,
        member_ids=payload.members,
        issue_types=payload.issue_types,
        default=payload.default,
    )


@router.post("/teams", response={201: TeamOut, **errors(403, 409)})
def team_create(request: HttpRequest, payload: TeamIn) -> Any:
    _staff(request)
    team = services.team_create(actor=user_of(request), fields=_fields(payload), now=clock.now())
    return Status(201, selectors.team_views([team])[0])


@router.put("/teams/{team_id}", response={200: TeamOut, **errors(403, 404, 409)})
def team_update(request: HttpRequest, team_id: int, payload: TeamIn) -> Any:
    _staff(request)
    team = _team(team_id)
    services.team_update(
        actor=user_of(request), team=team, fields=_fields(payload), now=clock.now()
    )
    return selectors.team_views([team])[0]


# ---------------------------------------------------------------------------------- agents


class AgentIn(In):
    skills: list[Code] = Field(default_factory=list, max_length=100)
    languages: list[Annotated[str, Field(min_length=1, max_length=16)]] = Field(
        default_factory=list, max_length=50
    )
    capacity: int = Field(40, ge=0, le=1000, description="Weighted open load: C1 4 … C4 1")


class AgentOut(Schema):
    id: int
    email: str
    name: str
    time_zone: str = Field(..., description="The zone the agent's shifts and leave are in")
    profile: bool = Field(..., description="Has a routing profile (counts for auto-assignment)")
    skills: list[str]
    languages: list[str]
    capacity: int
    status: Literal["available", "away"]
    status_changed_at: datetime | None


def _agent_out(user: User, profile: AgentProfile) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "name": str(user),  # the full name, else the address
        "time_zone": zone_or_default(user.time_zone).key,
        "profile": profile.pk is not None,
        "skills": list(profile.skills or []),
        "languages": list(profile.languages or []),
        "capacity": profile.capacity,
        "status": profile.status,
        "status_changed_at": profile.status_changed_at,
    }


@router.get("/agents/{agent_id}", response={200: AgentOut, **errors(403, 404)})
def agent_get(request: HttpRequest, agent_id: int) -> Any:
    _staff(request)
    user = _agent(agent_id)
    return _agent_out(user, selectors.profile_of(user))


@router.put("/agents/{agent_id}", response={200: AgentOut, **errors(403, 404)})
def agent_update(request: HttpRequest, agent_id: int, payload: AgentIn) -> Any:
    _staff(request)
    user = _agent(agent_id)
    profile = services.agent_profile_update(
        actor=user_of(request),
        user=user,
        skills=payload.skills,
        languages=payload.languages,
        capacity=payload.capacity,
        now=clock.now(),
    )
    return _agent_out(user, profile)


class StatusIn(In):
    status: Literal["available", "away"]


class StatusOut(Schema):
    status: Literal["available", "away"]
    status_changed_at: datetime | None


@router.get("/agents/{agent_id}/status", response={200: StatusOut, **errors(403, 404)})
def agent_status(request: HttpRequest, agent_id: int) -> Any:
    _staff(request)
    return selectors.profile_of(_agent(agent_id))


@router.put("/agents/{agent_id}/status", response={200: StatusOut, **errors(403, 404)})
def agent_status_set(request: HttpRequest, agent_id: int, payload: StatusIn) -> Any:
    _staff(request)
    return services.agent_status_set(
        actor=user_of(request), user=_agent(agent_id), status=payload.status, now=clock.now()
    )


# ---------------------------------------------------------------------------------- shifts


class ShiftIO(In):
    weekday: int = Field(..., ge=0, le=6, description="0 Monday … 6 Sunday")
    start: LocalTime
    end: LocalTime = Field(..., description="At or before start: runs past midnight")


class ShiftsIn(In):
    shifts: list[ShiftIO] = Field(default_factory=list, max_length=50)


class ShiftsOut(Schema):
    time_zone: str = Field(..., description="The agent's zone: the shifts' local times")
    shifts: list[ShiftIO]


def _shifts_out(user: User) -> dict[str, Any]:
    return {
        "time_zone": zone_or_default(user.time_zone).key,
        "shifts": [
            {"weekday": s.weekday, "start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}"}
            for s in selectors.shifts_of(user)
        ],
    }


@router.get("/agents/{agent_id}/shifts", response={200: ShiftsOut, **errors(403, 404)})
def agent_shifts(request: HttpRequest, agent_id: int) -> Any:
    _staff(request)
    return _shifts_out(_agent(agent_id))


@router.put("/agents/{agent_id}/shifts", response={200: ShiftsOut, **errors(403, 404)})
def agent_shifts_replace(request: HttpRequest, agent_id: int, payload: ShiftsIn) -> Any:
    _staff(request)
    user = _agent(agent_id)
    services.agent_shifts_replace(
        actor=user_of(request),
        user=user,
        shifts=[
            ShiftSpec(s.weekday, time.fromisoformat(s.start), time.fromisoformat(s.end))
            for s in payload.shifts
        ],
        now=clock.now(),
    )
    return _shifts_out(user)


# ----------------------------------------------------------------------------------- leave


class LeaveIn(In):
    starts_on: date = Field(..., le=FAR_DAY)
    ends_on: date = Field(..., le=FAR_DAY, description="Inclusive: the last day away")
    note: str = Field("", max_length=200)


class LeaveOut(Schema):
    id: int
    starts_on: date
    ends_on: date
    note: str


@router.get("/agents/{agent_id}/leave", response={200: list[LeaveOut], **errors(403, 404)})
def agent_leave(request: HttpRequest, agent_id: int) -> Any:
    _staff(request)
    return selectors.leave_of(_agent(agent_id))


@router.post("/agents/{agent_id}/leave", response={201: LeaveOut, **errors(403, 404, 409)})
def agent_leave_add(request: HttpRequest, agent_id: int, payload: LeaveIn) -> Any:
    _staff(request)
    leave: Leave = services.agent_leave_add(
        actor=user_of(request),
        user=_agent(agent_id),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        note=payload.note,
        now=clock.now(),
    )
    return Status(201, leave)


@router.delete("/agents/{agent_id}/leave/{leave_id}", response={204: None, **errors(403, 404)})
def agent_leave_delete(request: HttpRequest, agent_id: int, leave_id: int) -> Status[None]:
    _staff(request)
    services.agent_leave_delete(
        actor=user_of(request), user=_agent(agent_id), leave_id=leave_id, now=clock.now()
    )
    return Status(204, None)


# --------------------------------------------------------------------------------- on call


class GapOut(Schema):
    starts_at: datetime
    ends_at: datetime


@router.get("/on-call/gaps", response={200: list[GapOut], **errors(403)})
def on_call_gaps(request: HttpRequest) -> Any:
    """Outside business hours in the next 7 days, nobody on call (admins)."""
    if not access.is_admin(user_of(request)):
        raise Forbidden("only administrators see the on-call rota's gaps")
    return selectors.on_call_gaps(now=clock.now())
