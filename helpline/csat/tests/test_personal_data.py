"""A person's survey answers are in their personal-data export; erasure scrubs the comment and
forgets the WhatsApp number asked, the score stays for the report."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.conftest import Cast
from helpline.csat import services as csat
from helpline.csat.models import Answer, Channel, Survey
from helpline.csat.tests.conftest import RESOLVED
from helpline.privacy import services as privacy

pytestmark = pytest.mark.django_db


def test_export_and_erase(cast: Cast, resolved: Any) -> None:
    survey = Survey.objects.get()
    csat.answer_record(
        survey=survey, score=2, channel=Channel.MAIL, comment="Alice waited all day", now=RESOLVED
    )
    data = privacy.collect(privacy.subject(cast.alice.email))
    (row,) = data["satisfaction_surveys"]
    assert (row["ticket_id"], row["score"], row["comment"]) == (
        resolved.pk,
        2,
        "Alice waited all day",
    )
    counts = privacy.personal_data_erase(person=cast.alice.email)
    assert counts["surveys"] == 2  # the number asked, the comment
    answer = Answer.objects.get()
    assert answer.score == 2 and "Alice" not in answer.comment
    assert Survey.objects.get().whatsapp == ""
