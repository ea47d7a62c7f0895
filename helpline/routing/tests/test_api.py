"""/api/v1/teams and /api/v1/agents/{id}/…: staff read, admins write, an agent sets their own
status; every refusal names the field in the house's error format and changes nothing."""

from __future__ import annotations

from datetime import time

import pytest

from helpline.routing.models import AgentProfile, Leave, Shift, TeamRoute

pytestmark = pytest.mark.django_db


def test_teams_are_listed_created_and_updated_with_their_issue_types(cast) -> None:
    ada = cast.api("ada")
    body = {
        "name": "Apps",
        "lead": cast.lena.pk,
        "members": [cast.ravi.pk],
        "issue_types": ["app-submission"],
        "default": True,
    }
    created = ada.post("teams", body)
    assert created.status_code == 201, created.json_body
    assert created.json_body == {"id": created.json_body["id"], **body}
    team_id = created.json_body["id"]
    support = {"name": "Support", "members": [], "issue_types": ["functionality"]}
    changed = ada.call("PUT", f"teams/{cast.team.pk}", support)
    assert changed.status_code == 200, changed.json_body
    listed = cast.api("ravi").get("teams").json_body
    assert [(t["name"], t["issue_types"], t["default"]) for t in listed] == [
        ("Apps", ["app-submission"], True),
        ("Support", ["functionality"], False),
    ]
    assert dict(TeamRoute.objects.values_list("issue_type", "team_id")) == {
        "": team_id,
        "app-submission": team_id,
        "functionality": cast.team.pk,
    }


def test_a_team_cannot_take_another_teams_issue_type_or_drop_being_the_default(cast) -> None:
    ada = cast.api("ada")
    ada.call(
        "PUT",
        f"teams/{cast.team.pk}",
        {"name": "Support", "issue_types": ["functionality"], "default": True},
    )
    taken = ada.post("teams", {"name": "Apps", "issue_types": ["functionality"]})
    assert taken.status_code == 409
    assert taken.json_body["field"] == "issue_types"
    assert "another team" in taken.json_body["detail"]
    dropped = ada.call("PUT", f"teams/{cast.team.pk}", {"name": "Support", "default": False})
    assert dropped.status_code == 422
    assert dropped.json_body["field"] == "default"
    unknown = ada.post("teams", {"name": "Apps", "issue_types": ["teleportation"]})
    assert unknown.status_code == 422
    assert unknown.json_body["detail"].startswith("issue_types: 'teleportation' is not")
    assert TeamRoute.objects.count() == 2  # nothing lost, nothing added
    assert cast.api("ravi").post("teams", {"name": "Mine"}).status_code == 403
    assert cast.api("alice").get("teams").status_code == 403


def test_an_agents_profile_is_read_and_written_by_admins(cast) -> None:
    path = f"agents/{cast.ravi.pk}"
    assert cast.api("ravi").get(path).json_body["profile"] is False
    saved = cast.api("ada").call(
        "PUT", path, {"skills": ["functionality"], "languages": ["en", "HI"], "capacity": 12}
    )
    assert saved.status_code == 200, saved.json_body
    assert (saved.json_body["skills"], saved.json_body["languages"]) == (
        ["functionality"],
        ["en", "hi"],
    )
    bad = cast.api("ada").call("PUT", path, {"languages": ["klingon"]})
    assert bad.status_code == 422
    assert bad.json_body["field"] == "languages"
    assert AgentProfile.objects.get(user=cast.ravi).languages == ["en", "hi"]
    assert cast.api("ravi").call("PUT", path, {"skills": []}).status_code == 403
    assert cast.api("ada").get(f"agents/{cast.alice.pk}").status_code == 404  # not staff


def test_an_agent_sets_their_own_status_and_admins_anyones(cast) -> None:
    own = cast.api("ravi").call("PUT", f"agents/{cast.ravi.pk}/status", {"status": "away"})
    assert own.status_code == 200
    assert own.json_body["status"] == "away"
    assert own.json_body["status_changed_at"] is not None
    other = cast.api("ravi").call("PUT", f"agents/{cast.lena.pk}/status", {"status": "away"})
    assert other.status_code == 403
    by_admin = cast.api("ada").call("PUT", f"agents/{cast.lena.pk}/status", {"status": "away"})
    assert by_admin.status_code == 200
    assert cast.api("lena").get(f"agents/{cast.ravi.pk}/status").json_body["status"] == "away"
    nonsense = cast.api("ravi").call("PUT", f"agents/{cast.ravi.pk}/status", {"status": "asleep"})
    assert nonsense.status_code == 422


def test_the_week_of_shifts_is_replaced_whole_and_overlaps_are_refused(cast) -> None:
    path = f"agents/{cast.ravi.pk}/shifts"
    week = [{"weekday": d, "start": "10:00", "end": "18:00"} for d in range(5)]
    saved = cast.api("ada").call("PUT", path, {"shifts": week})
    assert saved.status_code == 200, saved.json_body
    assert saved.json_body == {"time_zone": "Asia/Kolkata", "shifts": week}
    # Sunday 22:00 → Monday 11:00 runs past midnight into Monday's shift.
    overlapping = [*week, {"weekday": 6, "start": "22:00", "end": "11:00"}]
    refused = cast.api("ada").call("PUT", path, {"shifts": overlapping})
    assert refused.status_code == 422
    assert refused.json_body["detail"] == (
        "shifts[5] overlaps shifts[0]: one agent works one shift at a time"
    )
    assert Shift.objects.filter(user=cast.ravi).count() == 5  # the old week stands
    assert cast.api("ravi").get(path).json_body["shifts"] == week
    bad_time = cast.api("ada").call(
        "PUT", path, {"shifts": [{"weekday": 0, "start": "25:00", "end": "10:00"}]}
    )
    assert bad_time.status_code == 422
    assert "shifts.0.start" in bad_time.json_body["detail"]
    night = [{"weekday": 6, "start": "22:00", "end": "06:00"}]
    assert cast.api("ada").call("PUT", path, {"shifts": night}).status_code == 200
    assert Shift.objects.get(user=cast.ravi).end == time(6)


def test_leave_is_listed_added_and_deleted(cast) -> None:
    path = f"agents/{cast.ravi.pk}/leave"
    added = cast.api("ada").post(path, {"starts_on": "2026-12-21", "ends_on": "2026-12-24"})
    assert added.status_code == 201, added.json_body
    clash = cast.api("ada").post(path, {"starts_on": "2026-12-24", "ends_on": "2026-12-28"})
    assert clash.status_code == 409
    assert clash.json_body["field"] == "starts_on"
    backwards = cast.api("ada").post(path, {"starts_on": "2026-12-28", "ends_on": "2026-12-27"})
    assert backwards.status_code == 422
    assert backwards.json_body["field"] == "ends_on"
    assert [e["ends_on"] for e in cast.api("ravi").get(path).json_body] == ["2026-12-24"]
    leave_id = added.json_body["id"]
    assert cast.api("ravi").call("DELETE", f"{path}/{leave_id}").status_code == 403
    assert cast.api("ada").call("DELETE", f"{path}/{leave_id}").status_code == 204
    assert cast.api("ada").call("DELETE", f"{path}/{leave_id}").status_code == 404
    assert not Leave.objects.exists()


def test_admins_see_the_on_call_gaps(cast) -> None:
    gaps = cast.api("ada").get("on-call/gaps")
    assert gaps.status_code == 200
    assert gaps.json_body  # no rota at all: the nights are gaps
    assert cast.api("ravi").get("on-call/gaps").status_code == 403
