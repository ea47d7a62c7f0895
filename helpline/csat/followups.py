"""The follow-up of a low score (decision 0203): owned by the store's account manager, else the
lead of the ticket's team; due one business day after the answer on the business calendar,
warned half-way; both instants are indexed columns the worker sweeps (``sweeps``), like a
ticket's targets. The owner hears of it by mail, through the outbox, in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from helpline.accounts import access
from helpline.core import clock, display
from helpline.core.errors import Conflict, NotFound
from helpline.csat.models import FollowUp, Survey
from helpline.outbox import services as outbox
from helpline.outbox.channels.email import payload as email_payload
from helpline.sla import business_time
from helpline.sla import selectors as sla
from helpline.sla.defaults import BUSINESS, BUSINESS_DAY
from helpline.tickets import selectors as ticket_selectors

LENGTH = timedelta(minutes=BUSINESS_DAY)
WARN_AT = 0.5


def owner_of(survey: Survey) -> Any:
    """The store's account manager, else the lead of the ticket's team (at the resolution)."""
    store = survey.ticket.store
    if store.account_manager_id is not None:
        return store.account_manager
    if survey.team_id is not None and survey.team is not None:
        return survey.team.lead
    return None


def deadlines(start: datetime) -> tuple[datetime, datetime]:
    """(warn, due): half a business day and one business day after ``start``."""
    calendar = sla.business_calendar(
        sla.current_policy(), BUSINESS, start, start + timedelta(days=30)
    )
    due = business_time.add_business_time(calendar, start, LENGTH)
    warn = business_time.warning_instant(calendar, start, LENGTH, fraction=WARN_AT) or due
    return warn, due


def open_for(*, survey: Survey, answer: Any, now: datetime) -> FollowUp:
    """The survey's follow-up (one per survey: a second low score keeps the first)."""
    existing = FollowUp.objects.filter(survey=survey).first()
    if existing is not None:
        return existing
    warn, due = deadlines(now)
    owner = owner_of(survey)
    follow_up = FollowUp.objects.create(
        survey=survey, owner=owner, created_at=now, warn_at=warn, due_at=due
    )
    _tell(follow_up, what="opened", now=now)
    return follow_up


def _tell(follow_up: FollowUp, *, what: str, now: datetime) -> None:
    owner = follow_up.owner
    if owner is None or not owner.email:
        return
    survey = follow_up.survey
    ticket = survey.ticket
    answer = survey.answer
    subject = {
        "opened": "Low satisfaction score: call the merchant back",
        "warned": "Half the time to call back a merchant has passed",
        "breached": "A low-score follow-up is overdue",
    }[what]
    body = "\n".join(
        [
            f"{ticket.reference}: {ticket.subject}",
            f"Score {answer.score} of 5. {answer.comment}".strip(),
            f"Follow up by {display.when(follow_up.due_at, owner.time_zone or None)}"
            " (one business day).",
            # The account manager's to-do, or the console's follow-up panel (a team lead).
            f"{settings.BASE_URL}/am/"
            if owner.role == "account_manager"
            else f"{settings.BASE_URL}/console/",
            "",
            email_payload.SIGNATURE,
        ]
    )
    outbox.enqueue(
        channel="email",
        kind=f"csat_followup_{what}",
        recipient=owner.email,
        payload=email_payload.plain(subject=f"[{ticket.reference}] {subject}", body=body),
        idempotency_key=f"csat-followup:{follow_up.pk}:{what}",
        ticket_id=ticket.pk,
        recipient_user_id=owner.pk,
        now=now,
    )


def followup_done(
    *, actor: Any, follow_up_id: int, note: str = "", now: datetime | None = None
) -> FollowUp:
    """The owner (or any staff) records the call back: the follow-up is met."""
    now = now or clock.now()
    if actor is None or actor.role == "merchant" or not access.sees_internal(actor):
        raise NotFound("no such follow-up", code="not_found")
    # Only a follow-up of a ticket the actor may see (the console's panel shows no other).
    visible = ticket_selectors.visible_tickets(actor).values("pk")
    follow_up = (
        FollowUp.objects.filter(pk=follow_up_id, survey__ticket__in=visible)
        .select_related("survey")
        .first()
    )
    if follow_up is None:
        raise NotFound("no such follow-up", code="not_found")
    if follow_up.done_at is not None:
        raise Conflict("this follow-up is already done", code="already_done")
    follow_up.done_at, follow_up.note = now, (note or "").strip()[:2000]
    follow_up.save(update_fields=["done_at", "note"])
    return follow_up


# What the sweep records: (the stamp, the instant it is due at, what the owner is told).
STEPS = (("warned_at", "warn_at", "warned"), ("breached_at", "due_at", "breached"))


def followups_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Warnings and breaches whose instant has passed, recorded at their instants (once): each
    a conditional UPDATE, so two workers never record one twice (two indexed ranges)."""
    now = now or clock.now()
    count = 0
    for stamp, instant, what in STEPS:
        due = FollowUp.objects.filter(
            done_at__isnull=True, **{f"{stamp}__isnull": True, f"{instant}__lte": now}
        )
        for follow_up in due.select_related("survey__ticket", "owner")[:limit]:
            with transaction.atomic():
                claimed = FollowUp.objects.filter(pk=follow_up.pk, **{f"{stamp}__isnull": True})
                if claimed.update(**{stamp: getattr(follow_up, instant)}):
                    _tell(follow_up, what=what, now=now)
                    count += 1
    return count
