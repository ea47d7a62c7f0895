"""The survey's no-login page: a link's GET records nothing by itself (a mail scanner's fetch),
its form (submitted by the page's script: one click) records the answer; the same link again
is the same answer, another link changes it; a comment after the click; bad, altered and
expired links get a clear page and record nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from helpline.conftest import Cast
from helpline.csat.models import Answer, Survey
from helpline.csat.tests.conftest import RESOLVED, resolved_ticket
from helpline.csat.tests.test_surveys import survey_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def raw(cast: Cast, time_machine: Any) -> dict[int, str]:
    resolved_ticket(cast)
    time_machine.move_to(RESOLVED + timedelta(hours=1), tick=False)
    return survey_links(Survey.objects.get())


def test_the_link_records_the_answer_in_one_submit_and_never_twice(raw: dict[int, str]) -> None:
    client = Client()
    page = client.get(f"/survey/{raw[2]}/")
    assert page.status_code == 200
    assert b"data-autosubmit" in page.content and b"2 of 5" in page.content
    assert not Answer.objects.exists()  # a fetch alone records nothing
    done = client.post(f"/survey/{raw[2]}/", {"action": "score"})
    assert done.status_code == 200 and b'id="outcome"' in done.content
    assert b"data-autosubmit" not in done.content
    again = client.get(f"/survey/{raw[2]}/")  # the same link reused: the answer as it is
    assert b'id="outcome"' in again.content and b"data-autosubmit" not in again.content
    client.post(f"/survey/{raw[2]}/", {"action": "score"})
    client.post(f"/survey/{raw[5]}/", {"action": "score"})  # changed within the 7 days
    (answer,) = Answer.objects.all()
    assert (answer.score, answer.changes) == (5, 2)
    commented = client.post(f"/survey/{raw[5]}/", {"action": "comment", "comment": "Thanks!"})
    assert b'id="commented"' in commented.content
    assert Answer.objects.get().comment == "Thanks!"


def test_a_comment_too_long_is_refused_and_the_answer_kept(raw: dict[int, str]) -> None:
    client = Client()
    client.post(f"/survey/{raw[4]}/", {"action": "score"})
    refused = client.post(f"/survey/{raw[4]}/", {"action": "comment", "comment": "x" * 2001})
    assert refused.status_code == 422 and b'role="alert"' in refused.content
    answer = Answer.objects.get()
    assert (answer.score, answer.comment) == (4, "")


def test_bad_links_get_a_clear_page_and_record_nothing(
    raw: dict[int, str], time_machine: Any
) -> None:
    client = Client()
    tampered = raw[1][:-2] + ("xy" if not raw[1].endswith("xy") else "zz")
    for token, status, words in (
        (tampered, 400, b"not valid"),
        ("garbage", 400, b"not valid"),
    ):
        for method in (client.get, client.post):
            page = method(f"/survey/{token}/")
            assert page.status_code == status and words in page.content
            assert b'id="problem"' in page.content
    time_machine.move_to(RESOLVED + timedelta(days=7), tick=False)
    for method in (client.get, client.post):
        expired = method(f"/survey/{raw[1]}/")
        assert expired.status_code == 410 and b"closed" in expired.content
    Survey.objects.all().delete()
    time_machine.move_to(RESOLVED + timedelta(days=1), tick=False)
    gone = client.get(f"/survey/{raw[1]}/")
    assert gone.status_code == 404 and b"not available" in gone.content
    assert not Answer.objects.exists()
