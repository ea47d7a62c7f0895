"""My notifications page: every signed-in person sets their own; bad input is a form error
and nothing is saved; the nav links to it."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.test import Client

from helpline.conftest import Cast
from helpline.outbox.models import Preference

pytestmark = pytest.mark.django_db
URL = "/notifications/"
FORM = {
    "email": "on",
    "whatsapp": "on",
    "muted": ["status", "due_date"],
    "quiet_start": "21:30",
    "quiet_end": "07:00",
    "digest_at": "09:00",
    "whatsapp_number": "+44 7700 900123",
}


@pytest.mark.parametrize("who", ["alice", "ravi", "maya", "eric", "ada"])
def test_every_signed_in_person_saves_their_own(cast: Cast, signed_in: Any, who: str) -> None:
    client = signed_in(who)
    page = client.get(URL)
    assert page.status_code == 200
    assert b'href="/notifications/"' in page.content  # linked from the nav
    assert b"A ticket is breached" not in page.content  # labels come from the service
    # A merchant chooses among what a merchant can be told (issue 22), staff among every kind.
    assert (b"A target is breached" in page.content) is (who != "alice")
    saved = client.post(URL, FORM, follow=True)
    assert saved.status_code == 200
    assert b"Your notification settings are saved." in saved.content
    user = getattr(cast, who)
    pref = Preference.objects.get(user=user)
    assert (pref.email, pref.whatsapp, pref.digest) == (True, True, False)
    assert pref.muted == ["status", "due_date"]
    assert (pref.quiet_start, pref.quiet_end) == (time(21, 30), time(7, 0))
    user.refresh_from_db()
    assert user.whatsapp == "+447700900123"
    # The page shows what was saved.
    again = client.get(URL).content.decode()
    assert 'value="21:30"' in again and 'value="+447700900123"' in again


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quiet_start": "25:61"}, "Enter a valid time."),
        ({"digest_at": ""}, "This field is required."),
        ({"muted": ["status", "gossip"]}, "Select a valid choice. gossip is not one of"),
        ({"quiet_end": ""}, "quiet hours need both a start and an end"),
        ({"whatsapp_number": "call me"}, "a WhatsApp number is + and the country code"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(
    cast: Cast, signed_in: Any, change: dict[str, Any], message: str
) -> None:
    client = signed_in("alice")
    response = client.post(URL, {**FORM, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Preference.objects.filter(user=cast.alice).exists()
    cast.alice.refresh_from_db()
    assert cast.alice.whatsapp == ""


def test_signed_out_is_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
