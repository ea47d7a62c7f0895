"""Every read of CSAT: a link's language, the answer a survey has, the follow-ups someone owns
or staff watch, and the rows of the CSAT report (scoped by the ticket access rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, Sum

from helpline.accounts import access
from helpline.accounts.models import User
from helpline.csat import links, words
from helpline.csat.models import Answer, FollowUp, Survey
from helpline.tickets import selectors as ticket_selectors

OPEN_LIMIT = 100


def link_language(raw: str) -> str:
    """The language of the survey a link names (expired links too), else the default."""
    survey_id = links.survey_id_of(raw)
    language = (
        Survey.objects.filter(pk=survey_id).values_list("language", flat=True).first()
        if survey_id is not None
        else None
    )
    return words.language_of(language)


def answer_of(survey: Survey) -> Answer | None:
    return Answer.objects.filter(survey=survey).first()


def open_followups(*, user: User | None, mine: bool) -> list[FollowUp]:
    """Open follow-ups, soonest due first: the user's own (the AM's to-do), or every one staff
    may see (the console). Merchants see none."""
    if user is None or user.role == "merchant" or not access.sees_internal(user):
        return []
    visible = ticket_selectors.visible_tickets(user).values("pk")
    qs = FollowUp.objects.filter(done_at__isnull=True, survey__ticket__in=visible)
    if mine:
        qs = qs.filter(owner=user)
    return list(
        qs.select_related("survey__ticket", "survey__answer", "owner").order_by("due_at", "pk")[
            :OPEN_LIMIT
        ]
    )


# The report's groupings: (the survey's column, its name in the table, the label of "none").
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "agent": ("agent__email", "agent", "(unassigned)"),
    "team": ("team__name", "team", "(no team)"),
    "issue-type": ("issue_type", "issue type", "—"),
    "merchant": ("merchant__name", "merchant", "—"),
    "language": ("language", "language", "—"),
}
INTERNAL = frozenset({"agent", "team"})


def report_rows(*, user: User | None, start: datetime, end: datetime, by: str) -> list[Any]:
    """Per group: surveys sent (resolutions in ``[start, end)``), answers, 4–5 answers, 1–2
    answers, the average score. One GROUP BY over the surveys of tickets the user may see."""
    column = DIMENSIONS[by][0]
    visible = ticket_selectors.visible_tickets(user).values("pk")
    return list(
        Survey.objects.filter(resolved_at__gte=start, resolved_at__lt=end, ticket__in=visible)
        .values(key=F(column))
        .annotate(
            sent=Count("pk"),
            answered=Count("answer"),
            satisfied=Count("answer", filter=Q(answer__score__gte=4)),
            unhappy=Count("answer", filter=Q(answer__score__lte=2)),
            score_sum=Sum("answer__score"),
        )
        .order_by("key")
    )
