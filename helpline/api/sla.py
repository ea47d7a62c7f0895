"""SLA: the public preview and the policy (no login: the policy is public)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from helpline.api.schemas import ErrorOut
from helpline.sla import selectors
from helpline.sla.preview import sla_preview

router = Router(tags=["sla"])


class TargetOut(Schema):
    minutes: int
    text: str
    calendar: str
    clock: str
    overridden: bool
    goal_minutes: int | None


class PreviewOut(Schema):
    priority: str
    priority_name: str
    issue_type: str | None
    policy_version: int
    at: str = Field(..., description="The instant asked about, in the calendar's zone")
    time_zone: str
    clock: str = Field(..., description="24x7 or business")
    calendar: str
    open_now: bool
    clock_starts_at: str
    first_response_due: str
    resolution_due: str = Field(..., description="For C1, the workaround deadline")
    resolution_kind: str
    first_response_target: TargetOut
    resolution_target: TargetOut
    note: str | None = None


@router.get(
    "/preview",
    response={200: PreviewOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="When a ticket filed at `at` is due",
)
def preview(
    request: HttpRequest,
    priority: str | None = None,
    issue_type: str | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    return sla_preview(priority=priority, issue_type=issue_type, at=at)


class PriorityOut(Schema):
    code: str
    name: str
    description: str


class IssueTypeOut(Schema):
    slug: str
    name: str
    description: str
    default_priority: str


class PolicyOut(Schema):
    version: int
    priorities: list[PriorityOut]
    issue_types: list[IssueTypeOut]


@router.get(
    "/policy", response={200: PolicyOut, 404: ErrorOut}, auth=None, summary="The current policy"
)
def policy(request: HttpRequest) -> dict[str, Any]:
    current = selectors.current_policy()
    return {
        "version": current.number,
        "priorities": [current.priorities[c] for c in current.priority_codes()],
        "issue_types": [i for i in current.issue_types.values() if i.active],
    }
