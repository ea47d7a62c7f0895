"""A desk: the cast's Support team (lead Lena, members Ravi and Lena) owns every issue type by
default; Ravi and Lena have profiles and are on shift around the clock unless a test says not."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from helpline.routing.models import AgentProfile, Shift, TeamRoute

SKILLS = ["functionality", "store-down", "app-submission", "feature-broken"]


def profile(user: Any, *, shifts: list[tuple[int, time, time]] | None = None, **more: Any) -> Any:
    fields = {"skills": SKILLS, "languages": ["en"], "capacity": 20, **more}
    made = AgentProfile.objects.create(user=user, **fields)
    for weekday, start, end in (
        shifts if shifts is not None else [(d, time(0), time(0)) for d in range(7)]
    ):
        Shift.objects.create(user=user, weekday=weekday, start=start, end=end)
    return made


@pytest.fixture
def desk(cast: Any) -> Any:
    TeamRoute.objects.create(team=cast.team, issue_type="")
    profile(cast.ravi)
    profile(cast.lena)
    return cast
