"""The SLA preview: when a ticket of this priority and issue type, filed at ``at``, is due.

Public (the policy is public) and read-only: the portal, the acknowledgement mail, the API
(``GET /api/v1/sla/preview``) and the CLI (``helpline sla preview``) all answer from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from helpline.core import clock, display
from helpline.core.display import ZoneLike
from helpline.core.errors import InvalidInput
from helpline.core.validation import bounded_instant
from helpline.sla import business_time, selectors
from helpline.sla.defaults import FIRST_RESPONSE, RESOLUTION
from helpline.sla.policy import Policy


def parse_at(raw: str | None, zone: ZoneInfo) -> datetime:
    """An ISO 8601 instant; one without an offset is read in ``zone``."""
    if raw is None or raw.strip() == "":
        return clock.now()
    text = raw.strip()
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"at={raw!r} is not an ISO 8601 date-time (e.g. 2026-10-01T19:00:00+05:30)",
            code="invalid_at",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value


def resolve(policy: Policy, priority: str | None, issue_type: str | None) -> tuple[str, str | None]:
    if issue_type is not None:
        spec = policy.issue_types.get(issue_type)
        if spec is None or not spec.active:
            known = ", ".join(sorted(s for s, i in policy.issue_types.items() if i.active))
            raise InvalidInput(
                f"unknown issue type {issue_type!r}; one of: {known}", code="unknown_issue_type"
            )
    if priority is not None:
        priority = priority.strip().upper()
        if priority not in policy.priorities:
            raise InvalidInput(
                f"unknown priority {priority!r}; one of: {', '.join(policy.priority_codes())}",
                code="unknown_priority",
            )
    elif issue_type is not None:
        priority = policy.issue_types[issue_type].default_priority
    else:
        raise InvalidInput("give a priority, an issue_type, or both", code="priority_required")
    return priority, issue_type


def _minutes_text(minutes: int, business: bool) -> str:
    hours, mins = divmod(minutes, 60)
    text = f"{hours} h" + (f" {mins} min" if mins else "") if hours else f"{mins} min"
    return text + (" of business time" if business else "")


def _note(answer: dict[str, Any], zone: ZoneLike) -> str | None:
    """Words for a person when the clock does not start at once, its time in ``zone``."""
    if answer["open_now"]:
        return None
    starts = display.when(answer["clock_starts_at"], zone)
    return f"Received outside business hours: the clock starts at the next opening, {starts}."


def sla_preview(
    *,
    priority: str | None,
    issue_type: str | None,
    at: str | datetime | None,
    reader_zone: ZoneLike = None,
) -> dict[str, Any]:
    """The targets and due times of a ticket opened ``at`` (ISO 8601 in the answer); the
    ``note`` is words for a person, its time in ``reader_zone`` (default: the calendar's)."""
    policy = selectors.current_policy()
    priority, issue_type = resolve(policy, priority, issue_type)
    if issue_type is None:
        targets = {kind: policy.targets[(priority, kind)] for kind in (FIRST_RESPONSE, RESOLUTION)}
    else:
        targets = policy.targets_for(priority, issue_type)
    first_cal_spec = policy.calendars[targets[FIRST_RESPONSE].calendar]
    zone = ZoneInfo(first_cal_spec.zone)
    instant = at if isinstance(at, datetime) else parse_at(at, zone)
    clock.ensure_aware(instant, name="at")
    try:
        bounded_instant(instant)
    except ValueError:
        raise InvalidInput(
            f"at={instant.isoformat()} is outside the years a deadline can be promised in",
            code="year_not_covered",
        ) from None
    answer: dict[str, Any] = {
        "priority": priority,
        "priority_name": policy.priorities[priority].name,
        "issue_type": issue_type,
        "policy_version": policy.number,
        "at": instant.astimezone(zone).isoformat(),
        "time_zone": first_cal_spec.zone,
    }
    try:
        for kind, target in targets.items():
            spec = policy.calendars[target.calendar]
            cal = selectors.business_calendar(policy, target.calendar, instant)
            tz = ZoneInfo(spec.zone)
            due = business_time.add_business_time(cal, instant, target.length)
            answer[f"{kind}_due"] = due.astimezone(tz).isoformat()
            answer[f"{kind}_target"] = {
                "minutes": target.minutes,
                "text": _minutes_text(target.minutes, not spec.always_open),
                "calendar": target.calendar,
                "clock": "24x7" if spec.always_open else "business",
                "overridden": target.overridden,
                "goal_minutes": target.goal_minutes,
            }
            if kind == FIRST_RESPONSE:
                starts = business_time.next_opening(cal, instant)
                answer["clock"] = "24x7" if spec.always_open else "business"
                answer["calendar"] = target.calendar
                answer["open_now"] = starts == instant
                answer["clock_starts_at"] = starts.astimezone(tz).isoformat()
    except business_time.CalendarRangeError as exc:
        raise InvalidInput(str(exc), code="year_not_covered") from None
    answer["resolution_kind"] = "workaround" if priority == "C1" else "resolution"
    answer["note"] = _note(answer, reader_zone or zone)
    return answer
