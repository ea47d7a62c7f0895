"""Routing in the admin: each form refuses what the API refuses, with a clear error, and
saves what is right."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.test import Client

from helpline.outbox.models import OnCallShift
from helpline.routing.models import AgentProfile, Leave, Shift, TeamRoute

pytestmark = pytest.mark.django_db


def errors_of(page) -> str:
    return page.content.decode()


def test_a_team_route_names_an_issue_type_of_the_policy(admin_client: Client, cast) -> None:
    bad = admin_client.post(
        "/admin/routing/teamroute/add/", {"team": cast.team.pk, "issue_type": "teleportation"}
    )
    assert bad.status_code == 200
    assert "&#x27;teleportation&#x27; is not an issue type of the current policy" in errors_of(bad)
    ok = admin_client.post(
        "/admin/routing/teamroute/add/", {"team": cast.team.pk, "issue_type": ""}
    )
    assert ok.status_code == 302
    assert TeamRoute.objects.get().issue_type == ""
    listed = admin_client.get("/admin/routing/teamroute/")
    assert "(default team: every other issue type)" in errors_of(listed)


def test_an_agent_profile_takes_known_skills_and_languages(admin_client: Client, cast) -> None:
    form = {"user": cast.ravi.pk, "capacity": 20, "status": "available"}
    bad_skill = admin_client.post(
        "/admin/routing/agentprofile/add/",
        {**form, "skills": "functionality, flying", "languages": "en"},
    )
    assert "skills: &#x27;flying&#x27; is not an issue type" in errors_of(bad_skill)
    bad_language = admin_client.post(
        "/admin/routing/agentprofile/add/",
        {**form, "skills": "functionality", "languages": "en, elvish"},
    )
    assert "languages: &#x27;elvish&#x27; is not a known language code" in errors_of(bad_language)
    assert not AgentProfile.objects.exists()
    ok = admin_client.post(
        "/admin/routing/agentprofile/add/",
        {**form, "skills": "functionality", "languages": "en, HI"},
    )
    assert ok.status_code == 302
    profile = AgentProfile.objects.get()
    assert (profile.skills, profile.languages) == (["functionality"], ["en", "hi"])
    page = admin_client.get(f"/admin/routing/agentprofile/{profile.pk}/change/")
    assert 'value="en, hi"' in errors_of(page)
    assert f"/admin/routing/shift/?user__id__exact={cast.ravi.pk}" in errors_of(
        admin_client.get("/admin/routing/agentprofile/")
    )


def test_a_shift_may_not_overlap_the_agents_others(admin_client: Client, cast) -> None:
    Shift.objects.create(user=cast.ravi, weekday=0, start=time(22), end=time(6))
    clash = admin_client.post(
        "/admin/routing/shift/add/",
        {"user": cast.ravi.pk, "weekday": 1, "start": "05:00", "end": "12:00"},
    )
    assert "this shift overlaps the " in errors_of(clash)
    assert Shift.objects.count() == 1
    ok = admin_client.post(
        "/admin/routing/shift/add/",
        {"user": cast.ravi.pk, "weekday": 1, "start": "06:00", "end": "12:00"},
    )
    assert ok.status_code == 302


def test_leave_ends_after_it_starts_and_does_not_overlap(admin_client: Client, cast) -> None:
    Leave.objects.create(user=cast.ravi, starts_on=date(2026, 12, 21), ends_on=date(2026, 12, 24))
    backwards = admin_client.post(
        "/admin/routing/leave/add/",
        {"user": cast.ravi.pk, "starts_on": "2026-12-30", "ends_on": "2026-12-28"},
    )
    assert "the leave ends before it starts" in errors_of(backwards)
    clash = admin_client.post(
        "/admin/routing/leave/add/",
        {"user": cast.ravi.pk, "starts_on": "2026-12-24", "ends_on": "2026-12-28"},
    )
    assert "overlaps the leave 2026-12-21 to 2026-12-24" in errors_of(clash)
    assert Leave.objects.count() == 1


def test_zones_are_iana_names(admin_client: Client, cast) -> None:
    rota = admin_client.post(
        "/admin/notify/oncallshift/add/",
        {"user": cast.ravi.pk, "weekday": 0, "start": "18:00", "end": "10:00", "zone": "IST"},
    )
    assert "&#x27;IST&#x27; is not a time zone name" in errors_of(rota)
    assert not OnCallShift.objects.exists()
    person = admin_client.get(f"/admin/accounts/user/{cast.ravi.pk}/change/")
    form = person.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(time_zone="Mars/Olympus", role="agent", email=cast.ravi.email)
    refused = admin_client.post(f"/admin/accounts/user/{cast.ravi.pk}/change/", data)
    assert "&#x27;Mars/Olympus&#x27; is not a time zone name" in errors_of(refused)
    cast.ravi.refresh_from_db()
    assert cast.ravi.time_zone == ""
