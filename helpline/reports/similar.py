"""Has this already been reported? Suggestions while a merchant writes (decisions 0042, 0221).

Three kinds, each scoped to what the writer may see and each shown **only when it is likely
the same problem**, never "the best three of whatever there is":

- similar **open tickets**: every open ticket the writer may see when there are at most
  ``ALL_OPEN`` (a merchant's backlog), else candidates from the full-text index (the draft's
  words and their families, ``core.wording.search_words``) and the most recent ones; each
  scored by ``ticket_probability`` — a logistic combination of the text similarity
  (``core.wording.similarity``, absolute 0–1), same store, same issue type, linked to an open
  platform incident, and age — and shown when it reaches ``SHOW_AT``;
- open **platform incidents** whose words match the draft (an open incident is a likely cause,
  so its bar is lower);
- **articles** of the knowledge base (``knowledge.selectors.suggestion_index``).

The coefficients: ``TEXT`` and ``INTERCEPT`` fitted by logistic regression on the pairs of the
labelled set (``reports/tests/duplicates.py``; ``bench/similar.py --fit`` prints them); the
others are priors (that set has one store and one issue type); ``SHOW_AT`` is the probability
at the text similarity chosen on the labelled set for precision (decision 0221).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpline.accounts.models import User
from helpline.core import clock, wording
from helpline.knowledge import selectors as knowledge
from helpline.knowledge.models import Article
from helpline.monitoring import selectors as monitoring
from helpline.reports import search
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import OPEN_STATUSES, Ticket

LEXICAL_CANDIDATES = 30
RECENT_CANDIDATES = 50
ALL_OPEN = 300  # at most this many open tickets in scope: each is scored, no index needed
TEXT_MAX = wording.TEXT_MAX

# p(same problem) = σ(INTERCEPT + TEXT·similarity + STORE·s + ISSUE_TYPE·t + INCIDENT·i − AGE·a)
INTERCEPT = -9.34  # fitted (bench/similar.py --fit)
TEXT = 25.78  # fitted
STORE = 0.5  # prior: +1 same store, −1 another store, 0 when the draft names none
ISSUE_TYPE = 0.3  # prior: +1 same issue type, −1 another, 0 unknown
INCIDENT = 1.0  # prior: the candidate is linked to an open platform incident
AGE = 0.5  # prior: per 30 days past the first 30 of the candidate's age, at most 2
SHOW_AT_SIMILARITY = 0.31  # chosen on the labelled set: the middle of 0.30–0.32, where both
SHOW_AT = 1 / (1 + math.exp(-(INTERCEPT + TEXT * SHOW_AT_SIMILARITY)))  # rates are ≥ 90 %
INCIDENT_SHOW_AT_SIMILARITY = 0.2
ARTICLE_SHOW_AT_SIMILARITY = SHOW_AT_SIMILARITY


@dataclass(frozen=True)
class Suggestion:
    ticket: Ticket
    score: float  # the probability that it is the same problem, 0–1
    lexical: float  # the text similarity, 0–1
    semantic: float | None = None  # kept for the API's shape; no model scores it (0221)


@dataclass(frozen=True)
class ArticleSuggestion:
    article: Article
    score: float


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))


def ticket_probability(
    *, similarity: float, same_store: int, same_type: int, incident: bool, age_days: float
) -> float:
    """The calibrated probability that a candidate is the draft's problem (see the module)."""
    stale = min(2.0, max(0.0, (age_days - 30) / 30))
    return _sigmoid(
        INTERCEPT
        + TEXT * similarity
        + STORE * same_store
        + ISSUE_TYPE * same_type
        + INCIDENT * incident
        - AGE * stale
    )


def _text_of(ticket: Ticket) -> str:
    return f"{ticket.subject}\n{ticket.description}"[:TEXT_MAX]


def _sign(draft: Any, candidate: Any) -> int:
    return 0 if draft is None else (1 if draft == candidate else -1)


def _candidates(user: User | None, text: str, exclude: int | None) -> dict[int, Ticket]:
    """Every open ticket the writer may see when there are at most ``ALL_OPEN`` (a merchant's
    open backlog, one query); otherwise the full-text candidates of the draft's words and their
    families and the most recent open tickets."""
    open_tickets = (
        ticket_selectors.visible_tickets(user)
        .filter(status__in=[s.value for s in OPEN_STATUSES])
        .exclude(pk=exclude or 0)
        .select_related("store")
        .order_by("-pk")
    )
    everything = list(open_tickets[: ALL_OPEN + 1])
    if len(everything) <= ALL_OPEN:
        return {t.pk: t for t in everything}
    query = " ".join(wording.search_words(text))
    hits = search.similar_by_words(user=user, text=query, limit=LEXICAL_CANDIDATES, exclude=exclude)
    tickets = {h.ticket.pk: h.ticket for h in hits}
    for ticket in everything[:RECENT_CANDIDATES]:
        tickets.setdefault(ticket.pk, ticket)
    return tickets


def similar_open_tickets(
    *,
    user: User | None,
    text: str,
    limit: int = 3,
    store_id: int | None = None,
    issue_type: str | None = None,
    exclude: int | None = None,
    now: datetime | None = None,
    semantic: bool = False,
) -> list[Suggestion]:
    """The open tickets ``user`` may see that are likely ``text``'s problem, best first; none
    when nothing is (``semantic`` is accepted for old callers and ignored, decision 0221)."""
    draft = wording.terms((text or "")[:TEXT_MAX])
    if not draft:
        return []
    now = now or clock.now()
    tickets = _candidates(user, text[:TEXT_MAX], exclude)
    linked = monitoring.tickets_in_open_incidents(list(tickets))
    out = []
    for pk, ticket in tickets.items():
        sim = wording.similarity(draft, wording.terms(_text_of(ticket)))
        score = ticket_probability(
            similarity=sim,
            same_store=_sign(store_id, ticket.store_id),
            same_type=_sign(issue_type, ticket.issue_type),
            incident=pk in linked,
            age_days=(now - ticket.created_at).total_seconds() / 86400,
        )
        if score >= SHOW_AT:
            out.append(Suggestion(ticket=ticket, score=score, lexical=sim))
    out.sort(key=lambda s: (-s.score, -s.ticket.pk))
    return out[:limit]


def open_incidents(*, user: User | None, text: str | None = None) -> list[dict[str, Any]]:
    """Open platform incidents (public: the status page shows them to everyone); with ``text``,
    only those whose words match the draft's."""
    draft = wording.terms(text or "") if text is not None else None
    out = []
    for i in monitoring.open_incidents():
        if draft is not None:
            words = wording.terms(f"{i.title}\n{i.description}")
            if wording.similarity(draft, words) < INCIDENT_SHOW_AT_SIMILARITY:
                continue
        out.append(
            {"id": i.pk, "title": i.title, "description": i.description, "started_at": i.started_at}
        )
    return out


def suggested_articles(*, user: User | None, text: str, limit: int = 3) -> list[ArticleSuggestion]:
    """Knowledge-base articles ``user`` may read that likely answer the draft (English now)."""
    draft = wording.terms((text or "")[:TEXT_MAX])
    if not draft:
        return []
    scored = sorted(
        (
            (wording.similarity(draft, a.terms), a.id)
            for a in knowledge.suggestion_index()
            if a.language == "en"
        ),
        reverse=True,
    )
    best = [(s, pk) for s, pk in scored[: limit * 3] if s >= ARTICLE_SHOW_AT_SIMILARITY]
    if not best:
        return []
    readable = {
        a.pk: a for a in knowledge.visible_articles(user).filter(pk__in=[p for _, p in best])
    }
    found = [
        ArticleSuggestion(article=readable[pk], score=_sigmoid(INTERCEPT + TEXT * s))
        for s, pk in best
        if pk in readable
    ]
    return found[:limit]


@dataclass(frozen=True)
class DraftSuggestions:
    tickets: list[Suggestion]
    incidents: list[dict[str, Any]]
    articles: list[ArticleSuggestion]
    newly_shown: list[int]  # articles counted as "shown" by this call


def suggestions_for_draft(
    *,
    user: User | None,
    text: str,
    store_id: int | None = None,
    issue_type: str | None = None,
    already_shown: list[int] | tuple[int, ...] = (),
    now: datetime | None = None,
) -> DraftSuggestions:
    """Everything the new-ticket form shows beside a draft, each kind only when likely the same
    problem; ``newly_shown``: the articles not in ``already_shown`` (the session's), for the
    caller to count as shown (``knowledge.services.deflections_shown``) — this side only reads."""
    now = now or clock.now()
    if not wording.terms((text or "")[:TEXT_MAX]):
        return DraftSuggestions(tickets=[], incidents=[], articles=[], newly_shown=[])
    articles = suggested_articles(user=user, text=text)
    seen = set(already_shown)
    new = [a.article.pk for a in articles if a.article.pk not in seen]
    return DraftSuggestions(
        tickets=similar_open_tickets(
            user=user, text=text, store_id=store_id, issue_type=issue_type, now=now
        ),
        incidents=open_incidents(user=user, text=text),
        articles=articles,
        newly_shown=new,
    )
