"""The console's people panel: an agent's status toggle, who is on call now (all staff), the
on-call rota's gaps (admins only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from helpline.outbox.models import OnCallOverride
from helpline.routing.models import AgentProfile
from helpline.routing.tests.rota import full_rota

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # Monday 19:30 IST, outside business hours


def test_the_console_home_loads_the_panel(cast, signed_in) -> None:
    page = signed_in("ravi").get("/console/").content.decode()
    assert 'hx-get="/console/people/"' in page


def test_an_agent_sees_their_status_and_who_is_on_call(cast, signed_in) -> None:
    full_rota(cast.lena, cast.lena)
    with time_machine.travel(NOW, tick=False):
        panel = signed_in("ravi").get("/console/people/", HTTP_HX_REQUEST="true").content.decode()
    assert 'You are <strong id="my-status">available</strong>' in panel
    assert "On call now: <strong>Lena</strong>" in panel
    assert "on-call-gaps" not in panel  # agents do not see the rota's gaps


def test_an_agent_goes_away_and_comes_back(cast, signed_in) -> None:
    client = signed_in("ravi")
    with time_machine.travel(NOW, tick=False):
        gone = client.post("/console/people/status/", {"status": "away"})
    assert gone.status_code == 302
    profile = AgentProfile.objects.get(user=cast.ravi)
    assert (profile.status, profile.status_changed_at) == ("away", NOW)
    back = client.post(
        "/console/people/status/", {"status": "available"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'You are <strong id="my-status">available</strong>' in back
    nonsense = client.post("/console/people/status/", {"status": "asleep"}, follow=True)
    assert "status: &#x27;asleep&#x27; is not one of available, away" in nonsense.content.decode()
    assert AgentProfile.objects.get(user=cast.ravi).status == "available"
    assert signed_in("alice").post("/console/people/status/", {"status": "away"}).status_code == 404


def test_admins_see_the_gaps_in_their_zone(cast, signed_in) -> None:
    cast.ada.time_zone = "Europe/London"
    cast.ada.save(update_fields=["time_zone"])
    OnCallOverride.objects.create(user=cast.eric, starts_at=NOW, ends_at=NOW + timedelta(days=8))
    cast.eric.is_active = False
    cast.eric.save(update_fields=["is_active"])
    with time_machine.travel(NOW, tick=False):
        page = signed_in("ada").get("/console/people/").content.decode()
    assert "On call now: <strong>nobody</strong>" in page
    assert "The on-call rota has 6 gaps in the next 7 days" in page
    assert "<li>Mon 7 Dec 2026, 14:00 GMT to Tue 8 Dec 2026, 04:30 GMT</li>" in page  # London
    assert "Times in Europe/London" in page
