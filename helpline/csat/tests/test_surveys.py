"""A survey on every resolution (agent resolve, merchant close, auto-close), one answer per
resolution, changeable for 7 days, one click from the mail; bad links refused clearly."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import signing

from helpline.conftest import Cast
from helpline.core.errors import Conflict, InvalidInput, NotFound
from helpline.csat import links
from helpline.csat import services as csat
from helpline.csat.models import Answer, Channel, FollowUp, Survey
from helpline.csat.tests.conftest import ALICE_WA, RESOLVED, resolve
from helpline.outbox.models import Outbox
from helpline.tickets import services as tickets
from helpline.tickets import sweeps

pytestmark = pytest.mark.django_db


def survey_links(survey: Survey) -> dict[int, str]:
    """The five links of the survey's mail, by score (read from the outbox row)."""
    row = Outbox.objects.get(kind="csat_survey", channel="email", ticket_id=survey.ticket_id)
    found = re.findall(r"^(\d) — .*: \S+/survey/(\S+)/$", row.payload["body"], re.M)
    return {int(score): raw for score, raw in found}


def test_resolving_opens_a_survey_sent_by_mail_and_whatsapp(cast: Cast, resolved: Any) -> None:
    (survey,) = Survey.objects.all()
    assert (survey.ticket_id, survey.resolved_at) == (resolved.pk, RESOLVED)
    assert (survey.agent_id, survey.team_id, survey.issue_type) == (
        cast.ravi.pk,
        cast.team.pk,
        "functionality",
    )
    assert survey.expires_at == RESOLVED + timedelta(days=7)
    rows = {r.channel: r for r in Outbox.objects.filter(kind="csat_survey")}
    assert rows["email"].recipient == cast.alice.email
    assert sorted(survey_links(survey)) == [1, 2, 3, 4, 5]
    whatsapp = rows["whatsapp"]
    assert whatsapp.recipient == ALICE_WA
    ids = [r["id"] for r in whatsapp.payload["interactive"]["rows"]]
    assert ids == [f"csat:{survey.pk}:{s}" for s in (5, 4, 3, 2, 1)]
    assert whatsapp.payload["template"]["buttons"] == ids


def test_every_resolution_has_a_survey_including_auto_close_and_a_second_resolution(
    cast: Cast, resolved: Any
) -> None:
    """100 %: a reopened ticket resolved again is a second survey; a resolved ticket without
    one (resolved before surveys existed) gets it when it auto-closes."""
    again = tickets.ticket_reopen(
        actor=cast.alice, ticket=resolved, now=RESOLVED + timedelta(hours=1)
    )
    again = resolve(cast, again, at=RESOLVED + timedelta(hours=3))
    assert Survey.objects.filter(ticket=resolved).count() == 2
    other = resolve(cast, cast.ticket(subject="Checkout slow"))
    Survey.objects.filter(ticket=other).delete()  # as if resolved before surveys existed
    days = settings.TICKET_AUTOCLOSE_DAYS
    assert sweeps.tickets_autoclose(now=RESOLVED + timedelta(days=days, hours=4)) == 2
    resolutions = {(t.pk, t.resolved_at) for t in (again, other)}
    surveyed = set(Survey.objects.values_list("ticket_id", "resolved_at"))
    assert resolutions <= surveyed


def test_one_click_records_the_answer_and_a_reused_link_changes_it(
    cast: Cast, resolved: Any
) -> None:
    survey = Survey.objects.get()
    raw = survey_links(survey)
    answer = csat.answer_by_link(raw=raw[4], now=RESOLVED + timedelta(hours=1))
    assert (answer.score, answer.channel, answer.changes) == (4, Channel.MAIL, 0)
    csat.answer_by_link(raw=raw[4], now=RESOLVED + timedelta(hours=2))  # the same link again
    csat.answer_by_link(raw=raw[5], now=RESOLVED + timedelta(days=6))  # changed within 7 days
    (answer,) = Answer.objects.all()
    assert (answer.score, answer.changes) == (5, 2)
    csat.answer_comment(raw=raw[5], comment=" Quick and kind. ", now=RESOLVED + timedelta(days=6))
    assert Answer.objects.get().comment == "Quick and kind."


def test_tampered_foreign_and_expired_links_record_nothing(cast: Cast, resolved: Any) -> None:
    survey = Survey.objects.get()
    raw = survey_links(survey)[5]
    tampered = raw[:-3] + ("AAA" if not raw.endswith("AAA") else "BBB")
    forged = signing.dumps({"s": survey.pk, "r": 0, "n": 1, "e": 2**31}, salt="another")
    for bad in (tampered, forged, "", "x" * 5000):
        with pytest.raises(InvalidInput, match="not valid"):
            csat.answer_by_link(raw=bad, now=RESOLVED)
    other = links.token(
        survey_id=survey.pk,
        resolved_at=RESOLVED - timedelta(days=1),  # signed by us, but another resolution
        score=1,
        expires_at=survey.expires_at,
    )
    with pytest.raises(NotFound):
        csat.answer_by_link(raw=other, now=RESOLVED)
    with pytest.raises(Conflict, match="closed"):
        csat.answer_by_link(raw=raw, now=RESOLVED + timedelta(days=7))
    assert not Answer.objects.exists()
    with pytest.raises(Conflict, match="choose a score"):
        csat.answer_comment(raw=raw, comment="hello", now=RESOLVED)
    with pytest.raises(InvalidInput, match="comment"):
        csat.answer_comment(raw=raw, comment="x\x00", now=RESOLVED)


def test_the_portal_close_box_answers_the_same_survey(cast: Cast, resolved: Any) -> None:
    survey = Survey.objects.get()
    csat.answer_by_link(raw=survey_links(survey)[3], now=RESOLVED + timedelta(hours=1))
    tickets.ticket_close(
        actor=cast.alice,
        ticket=resolved,
        rating=1,
        comment="Slow.",
        now=RESOLVED + timedelta(hours=2),
    )
    (answer,) = Answer.objects.all()
    assert (answer.score, answer.channel, answer.comment, answer.changes) == (
        1,
        Channel.PORTAL,
        "Slow.",
        1,
    )
    assert FollowUp.objects.get().survey_id == survey.pk


def test_an_unknown_language_is_english(cast: Cast) -> None:
    from helpline.csat import words

    assert words.language_of("xx", "", None) == "en"
    assert words.language_of("", "hi-IN") == "hi"
    cast.acme.language = "zz-ZZ"
    cast.acme.save(update_fields=["language"])
    ticket = cast.ticket()
    resolve(cast, ticket)
    assert Survey.objects.get().language == "en"


def test_the_merchants_switches_hold_for_the_survey_but_the_survey_is_still_opened(
    cast: Cast,
) -> None:
    """WhatsApp turned off (or resolutions muted on it): the survey goes by mail alone; every
    channel off: no message, yet the survey exists (answered from the portal's close box)."""
    from helpline.outbox.models import Preference

    cast.alice.whatsapp = ALICE_WA
    cast.alice.save(update_fields=["whatsapp"])
    Preference.objects.create(user=cast.alice, whatsapp_muted=["resolved"])
    resolve(cast, cast.ticket())
    assert set(Outbox.objects.filter(kind="csat_survey").values_list("channel", flat=True)) == {
        "email"
    }
    Preference.objects.filter(user=cast.alice).update(email=False, whatsapp=False)
    quiet = resolve(cast, cast.ticket(subject="Second"))
    assert Survey.objects.filter(ticket=quiet).exists()
    assert not Outbox.objects.filter(kind="csat_survey", ticket_id=quiet.pk).exists()


def test_a_rating_after_the_survey_closed_still_closes_the_ticket(
    cast: Cast, resolved: Any
) -> None:
    closed = tickets.ticket_close(
        actor=cast.alice, ticket=resolved, rating=2, now=RESOLVED + timedelta(days=8)
    )
    assert closed.status == "closed" and closed.rating == 2
    assert not Answer.objects.exists() and not FollowUp.objects.exists()
