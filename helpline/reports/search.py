"""Full-text search over tickets and their messages (decision 0040).

The index is the table ``reports_search`` kept current by database triggers (migration 0001):
SQLite FTS5 (porter stemmer over unicode61 without diacritics, BM25 ranking, ``snippet()``),
PostgreSQL a ``tsvector`` column (``english`` configuration) with a GIN index (``ts_rank``,
``ts_headline``). One document per ticket (subject and description), one per message and one
per attachment (its file name, migration 0003, decision 0076); the documents of a ticket are
grouped and the ticket takes its best-ranked document's snippet.

Scoping: the matches are joined to ``tickets.access.ticket_scope`` (the same filter as every
other read), merchant users are held to their merchant inside the index too, and internal notes
(and the files attached to them) are only searched for people who may see them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet
from psycopg.errors import QueryCanceled

from helpline.accounts import access
from helpline.accounts.models import Role, User
from helpline.core.errors import InvalidInput
from helpline.core.validation import has_nul, id_in_range
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets.models import OPEN_STATUSES, Ticket

QUERY_MAX = 500
TERMS_MAX = 32
MAX_RESULTS = 100
# Snippet markers: private-use characters (never typed), replaced by <mark> after escaping.
START, STOP = "\ue000", "\ue001"
# PostgreSQL indexes a file name with this around its punctuation (migration 0003): dropped here.
SEP = "\ue002"
# Document ids: ticket × 4, message × 4 + 1, attachment × 4 + 2 (decision 0040).
ATTACHMENT_DOC = 2
# On PostgreSQL a query matching more than this many documents is ranked among the newest
# CANDIDATES of them (decision 0040): ranking a million matches cannot fit in 100 ms.
CANDIDATES = 200
# Tiers of recency (decision 0075): a PostgreSQL search first looks only at the documents whose
# id is in the newest 1/32, then 1/8, of the id range (a BitmapAnd of the GIN index and the
# primary key, so only those heap pages are read), and only then at everything. A tier that
# already yields CANDIDATES documents is the answer (the same newest-200 rule as before); rare
# terms fall through to the full search and are found as before. Small indexes skip the tiers.
WINDOW_MIN_ID = 400_000
WINDOWS = (16,)
# The last (unbounded) tier may take at most this long; past it the previous tier's matches —
# the newest ones — are returned instead of letting one query hold the page for seconds.
FULL_TIMEOUT_MS = 300
# A merchant user's search on PostgreSQL (decision 0077): the expression of the GIN index
# ``reports_search_merchant_tsv`` (migration 0004: public documents only), each document's
# words and the lexeme "M<merchant id>" — upper case, which to_tsvector never writes. ANDed
# with that lexeme, the words are intersected with the merchant's ~3,000 documents inside the
# index, instead of building the bitmap of a common word over every merchant (130 ms).
MERCHANT_TSV = "(d.tsv || ('M' || d.merchant_id)::tsvector)"
MERCHANT_INDEX = True  # bench/search_scale.py --no-merchant-index: the search before 0077

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def words_of(text: str) -> list[str]:
    """Words as the index's tokenizer sees them: letters, digits and combining marks (so a
    Devanagari word with its vowel signs stays one word)."""
    kept = "".join(
        c if c.isalnum() or unicodedata.category(c).startswith("M") else " " for c in text
    )
    return kept.split()


@dataclass(frozen=True)
class Hit:
    ticket: Ticket
    score: float
    snippet: str  # safe HTML: escaped text with <mark> around the matched words


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    # PostgreSQL's time guard (FULL_TIMEOUT_MS, decision 0075) cut the search: these are the
    # best of the newest matches only, and an older ticket may be missing.
    partial: bool = False


@dataclass(frozen=True)
class _Row:
    ticket_id: int
    score: float  # higher is better
    snippet: str  # raw: the engine's text with START/STOP markers
    doc: int  # the document's id (its kind is doc % 4)


@dataclass(frozen=True)
class SearchFilters:
    status: Sequence[str] = ()
    priority: Sequence[str] = ()
    store: int | None = None
    open_only: bool = False


def parse_query(text: str) -> list[str]:
    """The user's query as terms: quoted phrases kept together, words; operators dropped."""
    if has_nul(text or ""):
        raise InvalidInput("the query must not contain NUL characters", code="invalid_query")
    text = (text or "").strip()
    if len(text) > QUERY_MAX:
        raise InvalidInput(f"the query is longer than {QUERY_MAX} characters", code="query_long")
    terms: list[str] = []
    for phrase, word in _TOKEN.findall(text):
        words = words_of(phrase if phrase else word)
        if words:
            terms.append(" ".join(words))
    if not terms:
        raise InvalidInput("type at least one word to search for", code="query_empty")
    return terms[:TERMS_MAX]


def _fts5_match(terms: list[str], *, any_term: bool = False) -> str:
    # Every term quoted: FTS5 then reads it as a phrase of tokens, never as syntax.
    return (" OR " if any_term else " ").join(f'"{t}"' for t in terms)


def _pg_query(terms: list[str]) -> str:
    # websearch syntax of only phrases and words (no OR, no minus): AND of the terms.
    return " ".join(f'"{t}"' if " " in t else t for t in terms if t.lower() != "or")


def render_snippet(raw: str, *, doc: int = 0) -> str:
    """Safe HTML of a raw snippet; a file name's is said to be one ("Attachment: …")."""
    text = html.escape(raw.replace(SEP, "")).replace(START, "<mark>").replace(STOP, "</mark>")
    return f"Attachment: {text}" if doc % 4 == ATTACHMENT_DOC else text


def _scoped(user: User | None, filters: SearchFilters) -> QuerySet[Ticket]:
    qs = ticket_selectors.visible_tickets(user)
    if filters.status:
        qs = qs.filter(status__in=list(filters.status))
    if filters.priority:
        qs = qs.filter(priority__in=list(filters.priority))
    if filters.store is not None:
        if not id_in_range(filters.store):
            raise InvalidInput("ids are whole numbers from 1 to 2^63−1", code="invalid_id")
        qs = qs.filter(store_id=filters.store)
    if filters.open_only:
        qs = qs.filter(status__in=[s.value for s in OPEN_STATUSES])
    return qs


def _matches(
    *,
    user: User | None,
    terms: list[str],
    filters: SearchFilters,
    limit: int,
    any_term: bool = False,
    subjects_only_public: bool = False,
    files: bool = True,
) -> tuple[list[_Row], bool]:
    """The best matches in scope, best first, and whether the time guard cut the search.
    ``files``: attachment names count too."""
    internal = access.sees_internal(user) and not subjects_only_public
    merchant_id = (
        user.merchant_id
        if user is not None and user.role == Role.MERCHANT and user.merchant_id
        else None
    )
    extra, tail = _restrictions(
        user=user, filters=filters, internal=internal, merchant_id=merchant_id, files=files
    )
    tail.append(limit)
    if _pg():
        return _pg_search(
            terms,
            extra=extra,
            tail=tail,
            any_term=any_term,
            merchant_id=merchant_id,
            internal=internal,
        )
    return _fts5_matches(terms, extra=extra, tail=tail, any_term=any_term), False


def _restrictions(
    *,
    user: User | None,
    filters: SearchFilters,
    internal: bool,
    merchant_id: int | None,
    files: bool,
) -> tuple[str, list[Any]]:
    """The SQL conditions on the documents that keep the search in scope, and the values after
    the query text they take: merchant, scope (the same on both engines)."""
    scope_sql, scope_params = _scoped(user, filters).values("pk").query.sql_with_params()
    extra = ""
    if not internal:
        extra += " AND NOT d.internal" if _pg() else " AND d.internal = 0"
    if merchant_id is not None:
        extra += " AND d.merchant_id = %s"
    if not files:
        kind = "mod(d.id, 4)" if _pg() else "d.rowid % 4"
        extra += f" AND {kind} <> {ATTACHMENT_DOC}"
    # Unfiltered staff who see everything, or a merchant user (whose scope is exactly the
    # merchant_id condition above): no join with the scope is needed.
    everything = (
        user is not None
        and access.is_active(user)
        and (user.role in access.ALL_TICKETS_ROLES or merchant_id is not None)
        and filters == SearchFilters()
    )
    tail: list[Any] = [merchant_id] if merchant_id is not None else []
    if not everything:
        extra += f" AND d.ticket_id IN ({scope_sql})"
        tail += scope_params
    return extra, tail


def _pg_search(
    terms: list[str],
    *,
    extra: str,
    tail: list[Any],
    any_term: bool,
    merchant_id: int | None,
    internal: bool,
) -> tuple[list[_Row], bool]:
    query = _pg_query(terms)
    tsq = "websearch_to_tsquery('english'::regconfig, %s)"
    if any_term:
        tsq = "replace(plainto_tsquery('english'::regconfig, %s)::text, '&', '|')::tsquery"
        query = " ".join(terms)
    # The tsquery is written out where it is used (not a CTE): the planner then sees the
    # constant and picks the GIN index for rare words, the id index walked backwards for
    # common ones. Only our own fragments are formatted in; every value is a parameter.
    phrase = not any_term and any(" " in t for t in terms)
    if merchant_id is not None and not internal and MERCHANT_INDEX:
        # The plain ``d.tsv @@`` stays beside it: a query of stop words only is empty, and
        # the empty tsquery ANDed with the merchant's lexeme would match all of theirs.
        extra = f" AND {MERCHANT_TSV} @@ ({tsq} && %s::tsquery)" + extra
        tail = [query, f"M{merchant_id}", *tail]
    # A merchant's documents (a few thousand) come from their own index: the tiers would
    # only add work there.
    return _pg_matches(
        tsq=tsq, query=query, extra=extra, tail=tail, phrase=phrase, tiers=merchant_id is None
    )


def _fts5_matches(terms: list[str], *, extra: str, tail: list[Any], any_term: bool) -> list[_Row]:
    sql = f"""
        WITH docs AS MATERIALIZED (
            SELECT d.ticket_id AS ticket_id, d.rowid AS doc,
                   bm25(reports_search, 4.0, 1.0) AS score
            FROM reports_search d
            WHERE reports_search MATCH %s {extra}
        )
        SELECT ticket_id, doc, min(score) AS best FROM docs
        GROUP BY ticket_id ORDER BY best, ticket_id DESC LIMIT %s
    """  # noqa: S608
    match = _fts5_match(terms, any_term=any_term)
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *tail])
        best = cursor.fetchall()
        if not best:
            return []
        # Snippets only for the documents shown (SQLite keeps the best row's doc).
        marks = ", ".join(["%s"] * len(best))
        cursor.execute(
            f"SELECT rowid, snippet(reports_search, -1, '{START}', '{STOP}', '…', 16) "  # noqa: S608
            f"FROM reports_search WHERE reports_search MATCH %s AND rowid IN ({marks})",
            [match, *(row[1] for row in best)],
        )
        snippets = dict(cursor.fetchall())
    return [
        _Row(int(t), -float(score), str(snippets.get(doc, "")), int(doc)) for t, doc, score in best
    ]


def _pg_sql(tsq: str, extra: str) -> str:
    # The tsquery is written out where it is used (not a CTE): the planner then sees the
    # constant and picks the GIN index for rare words, the id index walked backwards for
    # common ones. Only our own fragments are formatted in; every value is a parameter.
    # A file name's headline is the whole name with every matching part marked.
    return f"""
        WITH cand AS (
            SELECT d.id, d.ticket_id, ts_rank(d.tsv, {tsq}) AS score
            FROM reports_search d
            WHERE d.tsv @@ {tsq} {extra}
            ORDER BY d.id DESC LIMIT {CANDIDATES}
        ),
        best AS (
            SELECT DISTINCT ON (ticket_id) ticket_id, id, score FROM cand
            ORDER BY ticket_id, score DESC
        ),
        top AS (SELECT * FROM best ORDER BY score DESC, ticket_id DESC LIMIT %s)
        SELECT top.ticket_id, top.score,
               ts_headline('english'::regconfig,
                           CASE WHEN d.subject = '' THEN d.body
                                ELSE d.subject || ' — ' || d.body END,
                           {tsq},
                           CASE WHEN mod(d.id, 4) = {ATTACHMENT_DOC}
                                THEN 'StartSel={START}, StopSel={STOP}, HighlightAll=true'
                                ELSE 'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12'
                           END),
               (SELECT count(*) FROM cand), top.id
        FROM top JOIN reports_search d ON d.id = top.id
        ORDER BY top.score DESC, top.ticket_id DESC
    """  # noqa: S608


def _pg_matches(
    *, tsq: str, query: str, extra: str, tail: list[Any], phrase: bool, tiers: bool
) -> tuple[list[_Row], bool]:
    """The newest-CANDIDATES ranking, tier by tier of recency (see WINDOWS)."""
    with transaction.atomic(), connection.cursor() as cursor:
        try:
            return _pg_tiers(
                cursor, tsq=tsq, query=query, extra=extra, tail=tail, phrase=phrase, tiers=tiers
            )
        finally:
            # SET LOCAL lasts to the end of the transaction, which may be the caller's.
            for name in ("jit", "random_page_cost", "statement_timeout"):
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")


def _pg_tiers(
    cursor: Any, *, tsq: str, query: str, extra: str, tail: list[Any], phrase: bool, tiers: bool
) -> tuple[list[_Row], bool]:
    """The rows, and True if the time guard cut the full search (the window's rows then)."""
    rows: list[Any] = []
    # JIT compiling costs ~40 ms on a plan PostgreSQL thinks is dear; searches are short.
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SELECT max(id) FROM reports_search")
    top_id = int(cursor.fetchone()[0] or 0)
    spans = [top_id // w for w in WINDOWS] if tiers and top_id >= WINDOW_MIN_ID else []
    if spans:
        # Heap pages cost dear here: the planner then ANDs the GIN bitmap with the id
        # range (the BRIN index, migration 0002) and reads only the window's pages.
        cursor.execute("SET LOCAL random_page_cost = 40")
    for span in spans:
        params = [query, query, *tail[:-1], top_id - span, tail[-1], query]
        cursor.execute(_pg_sql(tsq, f"{extra} AND d.id > %s"), params)
        rows = cursor.fetchall()
        if rows and rows[0][3] >= CANDIDATES:
            return _pg_rows(rows), False
    # A phrase of common words: its words' AND is large, the phrase itself sparse, and the
    # full search checks it document by document. A full page from the newest window will do.
    if phrase and len(rows) >= tail[-1]:
        return _pg_rows(rows), False
    cursor.execute("SET LOCAL random_page_cost TO DEFAULT")
    sql = _pg_sql(tsq, extra)
    if not spans:
        cursor.execute(sql, [query, query, *tail, query])
        return _pg_rows(cursor.fetchall()), False
    cursor.execute(f"SET LOCAL statement_timeout = {int(FULL_TIMEOUT_MS)}")
    try:
        with transaction.atomic():
            cursor.execute(sql, [query, query, *tail, query])
            rows = cursor.fetchall()
    except OperationalError as error:
        if not isinstance(error.__cause__, QueryCanceled):
            raise
        return _pg_rows(rows), True  # the window's matches: the newest ones only
    return _pg_rows(rows), False


def _pg_rows(rows: list[Any]) -> list[_Row]:
    return [_Row(int(r[0]), float(r[1]), str(r[2] or ""), int(r[4])) for r in rows]


def _pg() -> bool:
    return connection.vendor == "postgresql"


def search_tickets(
    *,
    user: User | None,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 20,
) -> Results:
    """The tickets ``user`` may see that match ``query``, best first, with a snippet each;
    ``partial`` if the time guard cut the search (the newest matches only)."""
    if not 1 <= limit <= MAX_RESULTS:
        raise InvalidInput(f"limit must be between 1 and {MAX_RESULTS}", code="invalid_limit")
    terms = parse_query(query)
    rows, partial = _matches(
        user=user, terms=terms, filters=filters or SearchFilters(), limit=limit
    )
    return Results(hits=_hits(rows), partial=partial)


def _hits(rows: list[_Row]) -> list[Hit]:
    tickets = Ticket.objects.select_related("store", "merchant").in_bulk(
        [r.ticket_id for r in rows]
    )
    return [
        Hit(
            ticket=tickets[r.ticket_id],
            score=r.score,
            snippet=render_snippet(r.snippet, doc=r.doc),
        )
        for r in rows
        if r.ticket_id in tickets
    ]


def similar_by_words(
    *, user: User | None, text: str, limit: int = 10, exclude: int | None = None
) -> list[Hit]:
    """Open tickets in scope sharing words with ``text`` (any word; BM25 / ts_rank decides)."""
    words = [w for w in words_of(text or "") if len(w) > 2][:TERMS_MAX]
    if not words:
        return []
    # File names ("screenshot.png") say little about the problem: texts only.
    rows, _partial = _matches(
        user=user,
        terms=words,
        filters=SearchFilters(open_only=True),
        limit=limit + 1,
        any_term=True,
        subjects_only_public=True,
        files=False,
    )
    return [h for h in _hits(rows) if h.ticket.pk != exclude][:limit]
