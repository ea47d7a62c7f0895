"""A score of 2 or less opens a follow-up at once (in the answer's transaction) for the
store's account manager, else the team lead, due one business day later on the business
calendar; the worker's sweep warns half-way and records the breach at its instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpline.conftest import Cast
from helpline.csat import followups
from helpline.csat import services as csat
from helpline.csat.models import Channel, FollowUp, Survey
from helpline.csat.tests.conftest import RESOLVED, resolve
from helpline.outbox.models import Outbox
from helpline.worker import run_once

pytestmark = pytest.mark.django_db
ANSWERED = RESOLVED + timedelta(minutes=5)  # Tue 24 Nov 2026 12:35 IST


def test_a_low_score_opens_the_account_managers_follow_up_at_once(
    cast: Cast, resolved: Any
) -> None:
    survey = Survey.objects.get()
    csat.answer_record(survey=survey, score=2, channel=Channel.MAIL, now=ANSWERED)
    follow_up = FollowUp.objects.get()
    assert follow_up.owner == cast.maya
    assert follow_up.created_at == ANSWERED  # the answer's own instant: well within a minute
    # One business day (8 h of Mon–Fri 10:00–18:00 IST) from Tue 24 Nov, a holiday (Guru
    # Nanak's day): all of Wed 25 Nov, due at 18:00 IST, warned half-way at 14:00 IST.
    assert follow_up.due_at == datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
    assert follow_up.warn_at == datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
    told = Outbox.objects.get(kind="csat_followup_opened")
    assert told.recipient == cast.maya.email
    assert "Follow up by Wed 25 Nov 2026, 18:00 IST" in told.payload["body"]
    assert "/am/" in told.payload["body"]
    # A higher score later keeps the follow-up; a second low score opens no second one.
    csat.answer_record(survey=survey, score=1, channel=Channel.MAIL, now=ANSWERED)
    assert FollowUp.objects.count() == 1


def test_a_good_score_opens_nothing(cast: Cast, resolved: Any) -> None:
    csat.answer_record(survey=Survey.objects.get(), score=3, channel=Channel.MAIL, now=ANSWERED)
    assert not FollowUp.objects.exists()


def test_without_an_account_manager_the_team_lead_follows_up(cast: Cast) -> None:
    ticket = cast.ticket(store=cast.acme_outlet)
    cast.triage(ticket, team=cast.team)
    resolve(cast, ticket)
    csat.answer_record(survey=Survey.objects.get(), score=1, channel=Channel.MAIL, now=ANSWERED)
    assert FollowUp.objects.get().owner == cast.lena
    told = Outbox.objects.get(kind="csat_followup_opened")
    assert told.recipient == cast.lena.email and "/console/" in told.payload["body"]


def test_the_worker_warns_and_records_the_breach_at_their_instants(
    cast: Cast, resolved: Any
) -> None:
    csat.answer_record(survey=Survey.objects.get(), score=1, channel=Channel.MAIL, now=ANSWERED)
    follow_up = FollowUp.objects.get()
    run_once(now=follow_up.warn_at - timedelta(seconds=1))
    follow_up.refresh_from_db()
    assert follow_up.warned_at is None
    late = follow_up.due_at + timedelta(hours=3)  # the worker ran late: stamped at the instant
    result = run_once(now=late)
    assert result.csat_followups == 2
    follow_up = FollowUp.objects.get()
    assert (follow_up.warned_at, follow_up.breached_at) == (follow_up.warn_at, follow_up.due_at)
    kinds = set(Outbox.objects.filter(recipient=cast.maya.email).values_list("kind", flat=True))
    assert {"csat_followup_warned", "csat_followup_breached"} <= kinds
    assert run_once(now=late + timedelta(hours=1)).csat_followups == 0  # once each


def test_a_follow_up_done_is_no_longer_swept(cast: Cast, resolved: Any) -> None:
    csat.answer_record(survey=Survey.objects.get(), score=1, channel=Channel.MAIL, now=ANSWERED)
    follow_up = FollowUp.objects.get()
    # Staff who may not see its ticket (an engineer, the ticket linked to no developer ticket)
    # cannot mark it done: as if it did not exist.
    with pytest.raises(Exception, match="no such follow-up"):
        followups.followup_done(actor=cast.eric, follow_up_id=follow_up.pk, now=ANSWERED)
    followups.followup_done(
        actor=cast.maya, follow_up_id=follow_up.pk, note="Called.", now=ANSWERED
    )
    assert followups.followups_sweep(now=follow_up.due_at + timedelta(days=1)) == 0
    with pytest.raises(Exception, match="no such follow-up"):
        followups.followup_done(actor=cast.alice, follow_up_id=follow_up.pk, now=ANSWERED)
