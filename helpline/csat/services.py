"""Every write of CSAT (decisions 0200–0203): a survey on every resolution, its answer (from a
signed link, a WhatsApp reply or the portal's close box — one service for all three), the
comment after the click, and the follow-up a low score opens.

The ticket services call ``ticket_events_written`` inside their transaction: the survey and its
outbox rows commit with the resolution, and an answer of 2 or less opens its follow-up in the
answer's own transaction — "within a minute" is "at once".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from helpline.accounts import selectors as people
from helpline.accounts.models import User
from helpline.core import clock
from helpline.core.errors import Conflict, InvalidInput, NotFound
from helpline.core.validation import has_nul
from helpline.csat import followups, links, words
from helpline.csat.models import Answer, Channel, Survey
from helpline.outbox import selectors as outbox_selectors
from helpline.outbox import services as outbox
from helpline.tickets.events import EventKind

OPEN_FOR = timedelta(days=7)  # answerable and changeable for 7 days after the resolution
COMMENT_MAX = 2000
LOW = 2  # a score of 2 or less opens a follow-up


def ticket_events_written(*, ticket: Any, actor: Any, events: Sequence[Any]) -> None:
    """A resolution opens its survey (closing a resolved ticket too, if it has none: 100 % of
    resolutions, auto-closed ones included); the portal's close box answers it."""
    if ticket.resolved_at is None:
        return
    survey: Survey | None = None
    for event in events:
        opens = event.kind == EventKind.RESOLVED or (
            event.kind == EventKind.STATUS and event.after == "closed"
        )
        rated = event.kind == EventKind.RATING and (event.after or {}).get("rating") is not None
        if (opens or rated) and survey is None:
            fresh = event.kind == EventKind.RESOLVED  # this instant's resolution: none yet
            survey = survey_open(ticket=ticket, now=event.created_at, fresh=fresh)
        # A rating after the survey closed (auto-close later than 7 days) stays the ticket's
        # own: closing is never refused for the survey's sake.
        if rated and survey is not None and event.created_at < survey.expires_at:
            answer_record(
                survey=survey,
                score=event.after["rating"],
                comment=event.after.get("comment") or "",
                channel=Channel.PORTAL,
                now=event.created_at,
            )


def _recipient(ticket: Any) -> User | None:
    """The requester when a merchant user, else the merchant's first user (each with their
    merchant: one query)."""
    if ticket.requester_id is not None:
        requester = people.active_merchant_user(ticket.requester_id)
        if requester is not None:
            return requester
    users = people.merchant_users([ticket.merchant_id])
    return users[0] if users else None


def survey_open(*, ticket: Any, now: datetime | None = None, fresh: bool = False) -> Survey:
    """The survey of the ticket's current resolution; the first call writes it and its mail and
    WhatsApp message to the outbox (later calls return it). ``fresh``: the resolution was
    recorded in this transaction, under the ticket's lock, so it has no survey yet (one insert).
    Otherwise a concurrent first call meets the unique constraint (no savepoint: the insert
    ignores the conflict, then both read the one row; the outbox's idempotency keys keep its
    messages single)."""
    now = now or clock.now()
    resolved_at = ticket.resolved_at
    if resolved_at is None:
        raise Conflict("the ticket is not resolved", code="not_resolved")
    mine = Survey.objects.filter(ticket_id=ticket.pk, resolved_at=resolved_at)
    found = None if fresh else mine.first()
    if found is not None:
        return found
    recipient = _recipient(ticket)
    merchant = (recipient.merchant if recipient is not None else None) or ticket.merchant
    draft = Survey(
        ticket_id=ticket.pk,
        resolved_at=resolved_at,
        merchant_id=ticket.merchant_id,
        agent_id=ticket.assignee_id,
        team_id=ticket.team_id,
        issue_type=ticket.issue_type,
        language=words.language_of(getattr(recipient, "language", ""), merchant.language),
        recipient=recipient,
        whatsapp=(recipient.whatsapp if recipient is not None else "") or "",
        created_at=now,
        expires_at=resolved_at + OPEN_FOR,
    )
    if fresh:
        draft.save(force_insert=True)
        survey = draft
    else:
        Survey.objects.bulk_create([draft], ignore_conflicts=True)
        survey = mine.get()
        survey.recipient = recipient
    _send(survey, ticket=ticket, now=now)
    return survey


def _send(survey: Survey, *, ticket: Any, now: datetime) -> None:
    recipient = survey.recipient
    if recipient is None:
        return
    key = f"csat:{survey.pk}"
    sends = []
    # The merchant's own switches hold: a channel turned off, or resolutions muted on it.
    pref = outbox_selectors.preference_of(recipient)
    if recipient.email and pref.email and EventKind.RESOLVED not in (pref.muted or []):
        payload = words.mail(survey=survey, reference=ticket.reference, subject=ticket.subject)
        sends.append(("email", recipient.email, payload))
    muted_whatsapp = EventKind.RESOLVED in (pref.whatsapp_muted or [])
    if survey.whatsapp and pref.whatsapp and not muted_whatsapp:
        payload = words.whatsapp(survey=survey, reference=ticket.reference)
        sends.append(("whatsapp", survey.whatsapp, payload))
    outbox.enqueue_many(
        [
            outbox.Notification(
                channel=channel,
                kind="csat_survey",
                recipient=to,
                payload=payload,
                idempotency_key=f"{key}:{channel}",
                due_at=now,
                ticket_id=ticket.pk,
                recipient_user_id=recipient.pk,
            )
            for channel, to, payload in sends
        ],
        now=now,
    )


def _comment(raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str) or len(raw) > COMMENT_MAX or has_nul(raw):
        raise InvalidInput(
            f"a comment is text of at most {COMMENT_MAX} characters", code="invalid_comment"
        )
    return raw.strip()


def answer_record(
    *,
    survey: Survey,
    score: Any,
    channel: str,
    comment: str | None = None,
    now: datetime | None = None,
) -> Answer:
    """Record (or change) the one answer of ``survey``; a score of 2 or less opens the
    follow-up in the same transaction. Refused once the survey has closed (7 days)."""
    now = now or clock.now()
    if not (isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5):
        raise InvalidInput("a score is a whole number from 1 to 5", code="invalid_score")
    text = _comment(comment)
    if now >= survey.expires_at:
        raise Conflict("this survey has closed", code="survey_expired")
    with transaction.atomic():
        # The survey's row is the lock (read with its answer, if any): answers to one survey
        # take turns, so a first answer is one insert and every later one a change.
        locked = (
            Survey.objects.select_for_update(of=("self",))
            .select_related("answer")
            .get(pk=survey.pk)
        )
        try:
            answer: Answer | None = locked.answer
        except Answer.DoesNotExist:
            answer = None
        if answer is None:
            answer = Answer.objects.create(
                survey=locked, score=score, comment=text, channel=channel, answered_at=now
            )
        else:
            answer.score, answer.channel = score, channel
            if comment is not None and text:
                answer.comment = text
            answer.changed_at, answer.changes = now, answer.changes + 1
            answer.save(update_fields=["score", "channel", "comment", "changed_at", "changes"])
        if score <= LOW:
            followups.open_for(survey=survey, answer=answer, now=now)
    return answer


def survey_for_link(*, raw: str, now: datetime) -> tuple[Survey, links.SurveyLink]:
    """The survey a link names, or the clear error: not ours or altered (422), expired or
    from an earlier resolution that closed (409), no such survey (404)."""
    link = links.read(raw, now=now)
    survey = Survey.objects.select_related("ticket").filter(pk=link.survey_id).first()
    if survey is None or int(survey.resolved_at.timestamp()) != link.resolved:
        raise NotFound("this survey no longer exists", code="survey_unknown")
    return survey, link


def answer_by_link(*, raw: str, now: datetime | None = None) -> Answer:
    """One click on a mailed link: the score it carries becomes (or replaces) the answer."""
    now = now or clock.now()
    survey, link = survey_for_link(raw=raw, now=now)
    return answer_record(survey=survey, score=link.score, channel=Channel.MAIL, now=now)


def answer_comment(*, raw: str, comment: Any, now: datetime | None = None) -> Answer:
    """The optional comment after the click (the same link; the score stays)."""
    now = now or clock.now()
    survey, _ = survey_for_link(raw=raw, now=now)
    text = _comment(comment)
    with transaction.atomic():
        answer = Answer.objects.select_for_update().filter(survey=survey).first()
        if answer is None:
            raise Conflict("choose a score first", code="survey_unanswered")
        answer.comment = text
        answer.save(update_fields=["comment"])
    return answer


@dataclass(frozen=True)
class WhatsAppOutcome:
    recorded: bool
    reason: str
    ticket_id: int | None = None


def answer_by_whatsapp(
    *, phone: str, reply: str, message_id: str, now: datetime | None = None
) -> WhatsAppOutcome:
    """A reply button or list row (``csat:<survey>:<score>``) from the number the survey was
    sent to: the answer of that survey — whichever resolution it asked about —, thanked; after
    the survey closed, refused politely (``message_id``, Meta's, keys our answer to it). Called
    inside the inbound message's transaction."""
    now = now or clock.now()
    _, _, rest = reply.partition(":")
    survey_id, _, score = rest.partition(":")
    if not (survey_id.isdigit() and score.isdigit() and len(survey_id) < 19):
        return WhatsAppOutcome(False, "a survey reply we cannot read")
    survey = Survey.objects.select_related("ticket").filter(pk=int(survey_id)).first()
    if survey is None or not survey.whatsapp or survey.whatsapp != phone:
        return WhatsAppOutcome(False, "no survey was sent to this number with that id")
    reference = survey.ticket.reference
    if now >= survey.expires_at:
        _notify(
            survey,
            words.whatsapp_closed(reference=reference, language=survey.language),
            message_id,
            now,
        )
        return WhatsAppOutcome(False, "the survey had closed; told so politely", survey.ticket_id)
    try:
        answer = answer_record(survey=survey, score=int(score), channel=Channel.WHATSAPP, now=now)
    except InvalidInput as exc:
        return WhatsAppOutcome(False, str(exc)[:200], survey.ticket_id)
    thanks = words.whatsapp_thanks(
        reference=reference, score=answer.score, language=survey.language
    )
    _notify(survey, thanks, message_id, now)
    return WhatsAppOutcome(True, f"survey {survey.pk} answered {answer.score}", survey.ticket_id)


def _notify(survey: Survey, payload: dict[str, Any], message_id: str, now: datetime) -> None:
    outbox.enqueue(
        channel="whatsapp",
        kind="csat_reply",
        recipient=survey.whatsapp,
        payload=payload,
        idempotency_key=f"csat:{survey.pk}:reply:{message_id}",
        ticket_id=survey.ticket_id,
        recipient_user_id=survey.recipient_id,
        now=now,
    )
