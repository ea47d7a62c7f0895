"""Full-text search: stemming, phrases, other languages, snippets, tenancy, internal notes, and
the index kept current by the database triggers (edits, moved messages, deletes)."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.conftest import T0
from helpline.core.errors import InvalidInput
from helpline.reports import search
from helpline.reports.search import SearchFilters
from helpline.tickets import services
from helpline.tickets.models import Ticket, TicketMessage


def _ticket(cast: Any, subject: str, description: str, *, who: str = "alice", store=None) -> Any:
    actor = getattr(cast, who)
    store = store or (cast.bolt_gadgets if who == "bob" else cast.acme_shoes)
    return services.ticket_create(
        actor=actor,
        store=store,
        subject=subject,
        description=description,
        issue_type="functionality",
        now=T0,
    )


def _ids(hits: list[search.Hit]) -> list[int]:
    return [h.ticket.pk for h in hits]


@pytest.fixture
def corpus(cast):
    t = {
        "payments": _ticket(
            cast, "Payments failing at checkout", "Customers see an error when they pay by card."
        ),
        "images": _ticket(cast, "Product images blurry", "Uploaded photos look pixelated."),
        "german": _ticket(
            cast, "Zahlung fehlgeschlagen", "Die Zahlungen über Überweisung schlagen fehl."
        ),
        "hindi": _ticket(cast, "भुगतान विफल", "ग्राहक भुगतान नहीं कर पा रहे हैं"),
        "bolt": _ticket(
            cast,
            "Payment gateway timeout",
            "Our checkout payment times out for every customer.",
            who="bob",
        ),
    }
    services.ticket_reply(
        actor=cast.ravi,
        ticket=t["images"],
        body="Secret escalation codename zebrafish, do not tell the merchant",
        internal=True,
        now=T0,
    )
    services.ticket_reply(
        actor=cast.ravi,
        ticket=t["images"],
        body="We resized the thumbnails; please clear the cache.",
        now=T0,
    )
    return t


def test_stemming_finds_other_forms_of_a_word(cast, corpus) -> None:
    # "failed" and "failing" share the stem "fail"; "payment" matches "Payments".
    hits = search.search_tickets(user=cast.ravi, query="payment failed")
    assert corpus["payments"].pk in _ids(hits)
    assert corpus["bolt"].pk not in _ids(hits)  # says "times out", not "fail"


def test_a_quoted_phrase_must_appear_in_order(cast, corpus) -> None:
    assert _ids(search.search_tickets(user=cast.ravi, query='"pay by card"')) == [
        corpus["payments"].pk
    ]
    assert search.search_tickets(user=cast.ravi, query='"card by pay"') == []


def test_non_english_text_is_searchable(cast, corpus) -> None:
    assert _ids(search.search_tickets(user=cast.alice, query="भुगतान")) == [corpus["hindi"].pk]
    assert _ids(search.search_tickets(user=cast.alice, query="Zahlung")) == [corpus["german"].pk]
    # The same German word written with its umlaut is found either way on SQLite; on
    # PostgreSQL as written.
    assert _ids(search.search_tickets(user=cast.alice, query="Überweisung")) == [
        corpus["german"].pk
    ]


def test_messages_are_searched_and_the_snippet_marks_the_match(cast, corpus) -> None:
    hits = search.search_tickets(user=cast.ravi, query="thumbnails")
    assert _ids(hits) == [corpus["images"].pk]
    assert "<mark>thumbnails</mark>" in hits[0].snippet


def test_ranking_puts_the_subject_match_first(cast, corpus) -> None:
    other = _ticket(cast, "Shipping labels", "Also, one payment yesterday was odd.")
    hits = _ids(search.search_tickets(user=cast.ravi, query="payments"))
    # Both tickets with the word in their subject come before the one with it in passing.
    assert set(hits[:2]) == {corpus["payments"].pk, corpus["bolt"].pk}
    assert hits[2] == other.pk


def test_merchant_never_finds_another_merchants_ticket(cast, corpus) -> None:
    assert corpus["bolt"].pk not in _ids(search.search_tickets(user=cast.alice, query="payment"))
    assert _ids(search.search_tickets(user=cast.bob, query="payment")) == [corpus["bolt"].pk]
    assert search.search_tickets(user=cast.bob, query="pixelated") == []


def test_internal_notes_are_never_found_by_merchants(cast, corpus) -> None:
    assert search.search_tickets(user=cast.alice, query="zebrafish") == []
    assert _ids(search.search_tickets(user=cast.ravi, query="zebrafish")) == [corpus["images"].pk]


def test_account_manager_sees_only_managed_stores(cast, corpus) -> None:
    outlet = _ticket(cast, "Payment page broken", "outlet store", store=cast.acme_outlet)
    found = _ids(search.search_tickets(user=cast.maya, query="payment"))
    assert corpus["payments"].pk in found
    assert outlet.pk not in found
    assert corpus["bolt"].pk not in found


def test_filters_narrow_the_results(cast, corpus) -> None:
    services.ticket_transition(
        actor=cast.ravi, ticket=corpus["payments"], action="resolve", message="Fixed", now=T0
    )
    new_only = search.search_tickets(
        user=cast.ravi, query="payment", filters=SearchFilters(status=["new"])
    )
    assert corpus["payments"].pk not in _ids(new_only)
    assert corpus["bolt"].pk in _ids(new_only)
    found = search.search_tickets(
        user=cast.ravi, query="payment", filters=SearchFilters(store=cast.bolt_gadgets.pk)
    )
    assert _ids(found) == [corpus["bolt"].pk]


def test_the_index_follows_edits_moves_and_deletes(cast, corpus) -> None:
    ticket = corpus["images"]
    Ticket.objects.filter(pk=ticket.pk).update(subject="Banner artwork wrong")
    assert _ids(search.search_tickets(user=cast.ravi, query="banner")) == [ticket.pk]
    assert search.search_tickets(user=cast.ravi, query="blurry") == []
    # A message moved to another ticket (a merge) is found on its new ticket.
    TicketMessage.objects.filter(ticket=ticket, internal=False).update(ticket=corpus["payments"])
    assert _ids(search.search_tickets(user=cast.ravi, query="thumbnails")) == [
        corpus["payments"].pk
    ]
    TicketMessage.objects.filter(ticket=corpus["payments"]).delete()
    assert search.search_tickets(user=cast.ravi, query="thumbnails") == []


@pytest.mark.parametrize(
    "query", ["", "   ", '"" ""', "***", "a" * 600, "NEAR(x y) OR AND", "x\x00y", "col:val ^x"]
)
def test_odd_queries_give_a_clear_error_or_a_result_never_a_crash(cast, corpus, query) -> None:
    outcome: Any
    try:
        outcome = search.search_tickets(user=cast.ravi, query=query)
    except InvalidInput as exc:
        outcome = exc.code
    assert isinstance(outcome, list) or outcome in {"query_empty", "query_long", "invalid_query"}


def test_snippets_escape_html_from_merchants(cast) -> None:
    _ticket(cast, "Script <script>alert(1)</script> payment", "body")
    hits = search.search_tickets(user=cast.alice, query="payment")
    # Escaped (SQLite) or dropped as markup by ts_headline (PostgreSQL): never live.
    assert "<script" not in hits[0].snippet
    assert "<mark>payment</mark>" in hits[0].snippet
