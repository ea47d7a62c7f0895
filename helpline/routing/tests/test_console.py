"""The console's queues as routing fills them: Mine, a team's queue, and Unassigned with the
reason routing found nobody."""

from __future__ import annotations

from typing import Any

from django.test import Client

from helpline.accounts import services as accounts
from helpline.conftest import T0
from helpline.routing.models import TeamRoute


def page(user: Any, query: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/console/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_mine_team_queues_and_unassigned_with_why(desk: Any, time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    apps = accounts.team_create(name="Apps", lead=desk.lena, members=[])
    TeamRoute.objects.create(team=apps, issue_type="app-submission")
    mine = desk.ticket(at=T0, subject="Filters broken")
    waiting = desk.ticket(at=T0, subject="App rejected", issue_type="app-submission")
    assert mine.assignee_id == desk.ravi.pk and waiting.assignee_id is None
    ravi_mine = page(desk.ravi, "q=mine")
    assert "Filters broken" in ravi_mine and "App rejected" not in ravi_mine
    assert "Filters broken" not in page(desk.lena, "q=mine")
    unassigned = page(desk.lena, "q=unassigned")
    assert "App rejected" in unassigned and "Filters broken" not in unassigned
    assert "nobody on shift" in unassigned
    team_queue = page(desk.lena, f"q=open&team={apps.pk}")
    assert 'aria-label="Team queues"' in team_queue
    assert "App rejected" in team_queue and "Filters broken" not in team_queue
