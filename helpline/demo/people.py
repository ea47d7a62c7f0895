"""Demo data for people and their time, through the routing services: two teams owning the
issue types (Core support is the default team), each agent's profile and weekly shifts over
business hours, a few days of leave for Meera, and an on-call rota round the clock, so that
``helpline doctor`` finds no gap on the demo."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from helpline.outbox.models import OnCallShift
from helpline.routing import services as routing
from helpline.routing.validation import ShiftSpec

CORE_TYPES = [
    "store-down",
    "transactions-failing",
    "reports-no-data",
    "admin-unavailable",
    "feature-broken",
    "ui-design",
    "functionality",
]
APPS_TYPES = ["app-submission", "account-billing", "feature-request", "minor"]
PROFILES = {  # key: skills, languages
    "meera": (CORE_TYPES, ["en", "hi", "ml"]),
    "arun": (CORE_TYPES + APPS_TYPES, ["en", "hi", "ta"]),
    "fatima": ([*APPS_TYPES, "functionality"], ["en", "hi", "ur"]),
}
WORKDAY = {  # key: start, end of each Monday–Friday, in the agent's zone (the deployment's)
    "meera": (time(10), time(18)),
    "arun": (time(9, 30), time(18, 30)),
    "fatima": (time(10), time(18)),
}
# The rota: Arun on call every evening and night (18:00 → 10:00), Fatima every day
# (10:00 → 18:00, for holidays and weekends), in India's zone: every hour of every day.
ROTA = (("arun", time(18), time(10)), ("fatima", time(10), time(18)))


def load(*, cast: Any, now: datetime) -> None:
    people = cast.people
    core = routing.TeamFields(
        name=cast.team.name,
        lead_id=people["meera"].pk,
        member_ids=[people[k].pk for k in ("meera", "arun", "fatima")],
        issue_types=CORE_TYPES,
        default=True,
    )
    routing.team_update(actor=None, team=cast.team, fields=core, now=now)
    apps = routing.TeamFields(
        name="Apps and billing",
        lead_id=people["fatima"].pk,
        member_ids=[people["fatima"].pk, people["arun"].pk],
        issue_types=APPS_TYPES,
        default=False,
    )
    routing.team_create(actor=None, fields=apps, now=now)
    for key, (skills, languages) in PROFILES.items():
        user = people[key]
        routing.agent_profile_update(
            actor=None, user=user, skills=skills, languages=languages, capacity=40, now=now
        )
        start, end = WORKDAY[key]
        week = [ShiftSpec(day, start, end) for day in range(5)]
        routing.agent_shifts_replace(actor=None, user=user, shifts=week, now=now)
    today = now.date()
    routing.agent_leave_add(
        actor=None,
        user=people["meera"],
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=5),
        note="Family wedding",
        now=now,
    )
    OnCallShift.objects.bulk_create(
        OnCallShift(user=people[key], weekday=day, start=start, end=end, zone="Asia/Kolkata")
        for key, start, end in ROTA
        for day in range(7)
    )
