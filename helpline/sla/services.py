"""Writes to the policy: publishing a version, seeding and editing holiday rows.

``policy_publish`` is called after every admin edit of the policy tables; it snapshots them into
a new ``PolicyVersion`` when (and only when) something changed. The snapshot builder takes the
model classes as arguments so that the seeding migration can run it on historical models.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import F

from helpline.core import clock
from helpline.core.errors import InvalidInput
from helpline.sla import defaults
from helpline.sla.models import (
    Calendar,
    CalendarInterval,
    EscalationStep,
    Holiday,
    HolidayYear,
    IssueType,
    Override,
    PolicyVersion,
    Priority,
    Target,
)
from helpline.sla.selectors import package_coverage, package_holidays


def _seconds(value: time, *, end: bool = False) -> int:
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return 86400 if end and seconds == 0 else seconds


def _calendars_snapshot(models: Any) -> list[dict[str, Any]]:
    """Each calendar with its weekly hours: per weekday, [start, end) in seconds of the day."""
    weekly: dict[int, list[list[list[int]]]] = {}
    for iv in models.CalendarInterval.objects.order_by("calendar_id", "weekday", "start"):
        week = weekly.setdefault(iv.calendar_id, [[] for _ in range(7)])
        week[iv.weekday].append([_seconds(iv.start), _seconds(iv.end, end=True)])
    return [
        {
            "slug": c.slug,
            "name": c.name,
            "zone": c.zone,
            "always_open": c.always_open,
            "country": c.country,
            "subdivision": c.subdivision,
            "weekly": weekly.get(c.pk, [[] for _ in range(7)]),
        }
        for c in models.Calendar.objects.order_by("slug")
    ]


def build_snapshot(models: Any) -> dict[str, Any]:
    """The policy tables as a JSON-able dict; ``models`` has the model classes as attributes
    (a migration before the escalation chain existed has no ``EscalationStep``)."""
    calendars = _calendars_snapshot(models)
    priorities = [
        {"code": p.code, "rank": p.rank, "name": p.name, "description": p.description}
        for p in models.Priority.objects.order_by("rank")
    ]
    targets = [
        {
            "priority": t.priority.code,
            "kind": t.kind,
            "minutes": t.minutes,
            "calendar": t.calendar.slug,
            "goal_minutes": t.goal_minutes,
        }
        for t in models.Target.objects.select_related("priority", "calendar").order_by(
            "priority__rank", "kind"
        )
    ]
    issue_types = [
        {
            "slug": i.slug,
            "name": i.name,
            "description": i.description,
            "default_priority": i.default_priority.code,
            "active": i.active,
        }
        for i in models.IssueType.objects.select_related("default_priority").order_by(
            "position", "slug"
        )
    ]
    overrides = [
        {
            "issue_type": o.issue_type.slug,
            "priority": o.priority.code,
            "kind": o.kind,
            "minutes": o.minutes,
        }
        for o in models.Override.objects.select_related("issue_type", "priority").order_by(
            "issue_type__slug", "priority__rank", "kind"
        )
    ]
    return {
        "calendars": calendars,
        "priorities": priorities,
        "targets": targets,
        "issue_types": issue_types,
        "overrides": overrides,
    } | ({"escalation": escalation_snapshot(models)} if hasattr(models, "EscalationStep") else {})


def escalation_snapshot(models: Any) -> list[dict[str, Any]]:
    """The escalation chain: per priority, its steps by percent, whom each tells."""
    return [
        {"priority": s.priority.code, "percent": s.percent, "notify": s.notify.split()}
        for s in models.EscalationStep.objects.select_related("priority").order_by(
            "priority__rank", "percent"
        )
    ]


def snapshot_digest(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()


def validate_snapshot(snapshot: dict[str, Any]) -> None:
    """A policy must give every priority both targets, on calendars that exist."""
    codes = {p["code"] for p in snapshot["priorities"]}
    have = {(t["priority"], t["kind"]) for t in snapshot["targets"]}
    missing = sorted(f"{c} {k}" for c in codes for k in defaults.TARGET_KINDS if (c, k) not in have)
    if missing:
        raise InvalidInput(
            f"the policy has no target for: {', '.join(missing)}", code="policy_incomplete"
        )
    for step in snapshot.get("escalation", []):
        wrong = sorted(set(step["notify"]) - set(defaults.ESCALATION_AUDIENCES))
        if wrong or not step["notify"]:
            raise InvalidInput(
                f"escalation step {step['priority']} at {step['percent']} % names "
                f"{', '.join(wrong) or 'nobody'}; choose among "
                f"{', '.join(defaults.ESCALATION_AUDIENCES)}",
                code="policy_escalation_invalid",
            )
    for cal in snapshot["calendars"]:
        if not cal["always_open"] and not any(cal["weekly"]):
            raise InvalidInput(
                f"calendar {cal['slug']} has no business hours", code="policy_incomplete"
            )


class _Models:
    Calendar = Calendar
    CalendarInterval = CalendarInterval
    Priority = Priority
    Target = Target
    IssueType = IssueType
    Override = Override
    EscalationStep = EscalationStep
    PolicyVersion = PolicyVersion


def publish(models: Any, *, now: datetime, actor_id: int | None, note: str) -> Any:
    """Snapshot the tables into a new version unless the latest one says the same."""
    snapshot = build_snapshot(models)
    validate_snapshot(snapshot)
    digest = snapshot_digest(snapshot)
    latest = models.PolicyVersion.objects.order_by("-number").first()
    if latest is not None and latest.digest == digest:
        return latest
    return models.PolicyVersion.objects.create(
        number=(latest.number + 1) if latest else 1,
        created_at=now,
        created_by_id=actor_id,
        note=note[:200],
        digest=digest,
        snapshot=snapshot,
    )


def policy_publish(
    *, actor_id: int | None = None, note: str = "", now: datetime | None = None
) -> PolicyVersion:
    with transaction.atomic():
        version: PolicyVersion = publish(
            _Models, now=now or clock.now(), actor_id=actor_id, note=note
        )
        return version


def seed_holiday_years(
    models: Any, calendar: Any, years: Iterable[int], *, now: datetime
) -> list[int]:
    """Copy the package's dates into rows for each year not yet seeded; return the years seeded."""
    done = []
    first, last = package_coverage(calendar.country, calendar.subdivision)
    for year in years:
        if not first <= year <= last:
            continue  # the package has no complete dates for it: nothing to promise with
        _, created = models.HolidayYear.objects.get_or_create(
            calendar_id=calendar.pk, year=year, defaults={"seeded_at": now}
        )
        if not created:
            continue
        for day, name in package_holidays(calendar.country, calendar.subdivision, year).items():
            models.Holiday.objects.get_or_create(
                calendar_id=calendar.pk, date=day, defaults={"name": name}
            )
        done.append(year)
    if done:
        models.Calendar.objects.filter(pk=calendar.pk).update(
            holidays_revision=F("holidays_revision") + 1
        )
    return done


class _HolidayModels:
    Calendar = Calendar
    Holiday = Holiday
    HolidayYear = HolidayYear


def holidays_seed(
    *, now: datetime | None = None, years: Iterable[int] | None = None
) -> dict[str, list[int]]:
    """The yearly job: seed the previous year through two years ahead for every calendar."""
    now = now or clock.now()
    wanted = list(years) if years is not None else list(range(now.year - 1, now.year + 3))
    result = {}
    with transaction.atomic():
        for cal in Calendar.objects.filter(always_open=False).exclude(country=""):
            result[cal.slug] = seed_holiday_years(_HolidayModels, cal, wanted, now=now)
    return result


def holiday_row_set(
    *, calendar: Calendar, day: date, name: str, now: datetime | None = None
) -> Holiday:
    """Add (or rename) a holiday row. Its year is marked seeded first so package dates stay.
    The row only: ``tickets.holidays.holiday_add`` also lays pending deadlines out again."""
    if not name.strip():
        raise InvalidInput("a holiday needs a name", code="holiday_name_required")
    now = now or clock.now()
    seed_holiday_years(_HolidayModels, calendar, [day.year], now=now)
    holiday, _ = Holiday.objects.update_or_create(
        calendar=calendar, date=day, defaults={"name": name.strip(), "added_by_admin": True}
    )
    Calendar.objects.filter(pk=calendar.pk).update(holidays_revision=F("holidays_revision") + 1)
    return holiday


def holiday_row_remove(*, calendar: Calendar, day: date, now: datetime | None = None) -> bool:
    """Remove a holiday row; the year stays seeded, so the package's date does not come back.
    The row only: ``tickets.holidays.holiday_remove`` also lays pending deadlines out again."""
    seed_holiday_years(_HolidayModels, calendar, [day.year], now=now or clock.now())
    deleted, _ = Holiday.objects.filter(calendar=calendar, date=day).delete()
    Calendar.objects.filter(pk=calendar.pk).update(holidays_revision=F("holidays_revision") + 1)
    return bool(deleted)


def seed_defaults(models: Any, *, now: datetime) -> None:
    """Load docs/policy.md's defaults into empty policy tables and publish version 1 (migration)."""
    cals = {}
    for spec in defaults.CALENDARS:
        cal = models.Calendar.objects.create(
            slug=spec["slug"],
            name=spec["name"],
            zone=spec["zone"],
            always_open=spec["always_open"],
            country=spec["country"],
            subdivision=spec["subdivision"],
        )
        cals[spec["slug"]] = cal
        for weekday, start, end in spec["intervals"]:  # type: ignore[attr-defined]
            models.CalendarInterval.objects.create(
                calendar=cal,
                weekday=weekday,
                start=time.fromisoformat(start),
                end=time.fromisoformat(end),
            )
        if cal.country:
            seed_holiday_years(models, cal, range(now.year - 1, now.year + 3), now=now)
    prios = {}
    for p in defaults.PRIORITIES:
        prios[p["code"]] = models.Priority.objects.create(**p)
    for code, kinds in defaults.TARGETS.items():
        for kind, (minutes, cal_slug, goal) in kinds.items():
            models.Target.objects.create(
                priority=prios[code],
                kind=kind,
                minutes=minutes,
                calendar=cals[cal_slug],
                goal_minutes=goal,
            )
    types = {}
    for position, (slug, name, prio, description) in enumerate(defaults.ISSUE_TYPES):
        types[slug] = models.IssueType.objects.create(
            slug=slug,
            name=name,
            description=description,
            default_priority=prios[prio],
            position=position,
        )
    for slug, prio, kind, minutes in defaults.OVERRIDES:
        models.Override.objects.create(
            issue_type=types[slug], priority=prios[prio], kind=kind, minutes=minutes
        )
    if hasattr(models, "EscalationStep"):  # not at migration 0002 (sla 0003 seeds it then)
        seed_escalation(models)
    publish(models, now=now, actor_id=None, note="POLICY.md defaults")


def seed_escalation(models: Any) -> None:
    """The default escalation chain into an empty table (seeding, and the data migration)."""
    prios = {p.code: p for p in models.Priority.objects.all()}
    for code, steps in defaults.ESCALATION.items():
        if code in prios:
            for percent, notify in steps:
                models.EscalationStep.objects.get_or_create(
                    priority=prios[code], percent=percent, defaults={"notify": notify}
                )
