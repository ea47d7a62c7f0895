"""Full-text search: stemming, phrases, other languages, snippets, tenancy, internal notes,
attachment names, and the index kept current by the database triggers (edits, moved messages
and files, deletes)."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.db import connection

from helpline.conftest import T0
from helpline.core.errors import InvalidInput
from helpline.reports import search
from helpline.reports.search import SearchFilters
from helpline.tickets import incidents, services
from helpline.tickets.attachments import Upload
from helpline.tickets.models import Attachment, Ticket, TicketMessage


def _ids(found: search.Results | list[search.Hit]) -> list[int]:
    return [h.ticket.pk for h in (found.hits if isinstance(found, search.Results) else found)]


@pytest.fixture
def corpus(cast):
    t = {
        "payments": cast.ticket(
            subject="Payments failing at checkout",
            description="Customers see an error when they pay by card.",
        ),
        "images": cast.ticket(
            subject="Product images blurry", description="Uploaded photos look pixelated."
        ),
        "german": cast.ticket(
            subject="Zahlung fehlgeschlagen",
            description="Die Zahlungen über Überweisung schlagen fehl.",
        ),
        "hindi": cast.ticket(subject="भुगतान विफल", description="ग्राहक भुगतान नहीं कर पा रहे हैं"),
        "bolt": cast.ticket(
            who="bob",
            subject="Payment gateway timeout",
            description="Our checkout payment times out for every customer.",
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
    hits = search.search_tickets(user=cast.ravi, query="payment failed").hits
    assert corpus["payments"].pk in _ids(hits)
    assert corpus["bolt"].pk not in _ids(hits)  # says "times out", not "fail"


def test_a_quoted_phrase_must_appear_in_order(cast, corpus) -> None:
    assert _ids(search.search_tickets(user=cast.ravi, query='"pay by card"')) == [
        corpus["payments"].pk
    ]
    assert search.search_tickets(user=cast.ravi, query='"card by pay"').hits == []


def test_non_english_text_is_searchable(cast, corpus) -> None:
    assert _ids(search.search_tickets(user=cast.alice, query="भुगतान")) == [corpus["hindi"].pk]
    assert _ids(search.search_tickets(user=cast.alice, query="Zahlung")) == [corpus["german"].pk]
    # The same German word written with its umlaut is found either way on SQLite; on
    # PostgreSQL as written.
    assert _ids(search.search_tickets(user=cast.alice, query="Überweisung")) == [
        corpus["german"].pk
    ]


def test_messages_are_searched_and_the_snippet_marks_the_match(cast, corpus) -> None:
    hits = search.search_tickets(user=cast.ravi, query="thumbnails").hits
    assert _ids(hits) == [corpus["images"].pk]
    assert "<mark>thumbnails</mark>" in hits[0].snippet


def test_ranking_puts_the_subject_match_first(cast, corpus) -> None:
    other = cast.ticket(
        subject="Shipping labels", description="Also, one payment yesterday was odd."
    )
    hits = _ids(search.search_tickets(user=cast.ravi, query="payments"))
    # Both tickets with the word in their subject come before the one with it in passing.
    assert set(hits[:2]) == {corpus["payments"].pk, corpus["bolt"].pk}
    assert hits[2] == other.pk


def test_merchant_never_finds_another_merchants_ticket(cast, corpus) -> None:
    assert corpus["bolt"].pk not in _ids(search.search_tickets(user=cast.alice, query="payment"))
    assert _ids(search.search_tickets(user=cast.bob, query="payment")) == [corpus["bolt"].pk]
    assert search.search_tickets(user=cast.bob, query="pixelated").hits == []


def test_a_query_of_stop_words_finds_nothing_for_a_merchant_either(cast, corpus) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite FTS5 has no stop words")
    # Its tsquery is empty; ANDed with the merchant's lexeme (decision 0077) it would match
    # every document of theirs, were the words not checked on their own too.
    assert search.search_tickets(user=cast.alice, query="the").hits == []
    assert search.search_tickets(user=cast.ravi, query="the").hits == []


def test_internal_notes_are_never_found_by_merchants(cast, corpus) -> None:
    assert search.search_tickets(user=cast.alice, query="zebrafish").hits == []
    assert _ids(search.search_tickets(user=cast.ravi, query="zebrafish")) == [corpus["images"].pk]


def test_account_manager_sees_only_managed_stores(cast, corpus) -> None:
    outlet = cast.ticket(
        store=cast.acme_outlet, subject="Payment page broken", description="outlet store"
    )
    found = _ids(search.search_tickets(user=cast.maya, query="payment"))
    assert corpus["payments"].pk in found
    assert outlet.pk not in found
    assert corpus["bolt"].pk not in found


def test_filters_narrow_the_results(cast, corpus) -> None:
    services.ticket_resolve(actor=cast.ravi, ticket=corpus["payments"], message="Fixed", now=T0)
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
    assert search.search_tickets(user=cast.ravi, query="blurry").hits == []
    # A message moved to another ticket (a merge) is found on its new ticket.
    TicketMessage.objects.filter(ticket=ticket, internal=False).update(ticket=corpus["payments"])
    assert _ids(search.search_tickets(user=cast.ravi, query="thumbnails")) == [
        corpus["payments"].pk
    ]
    TicketMessage.objects.filter(ticket=corpus["payments"]).delete()
    assert search.search_tickets(user=cast.ravi, query="thumbnails").hits == []


@pytest.mark.parametrize(
    "query", ["", "   ", '"" ""', "***", "a" * 600, "NEAR(x y) OR AND", "x\x00y", "col:val ^x"]
)
def test_odd_queries_give_a_clear_error_or_a_result_never_a_crash(cast, corpus, query) -> None:
    outcome: Any
    try:
        outcome = search.search_tickets(user=cast.ravi, query=query)
    except InvalidInput as exc:
        outcome = exc.code
    assert isinstance(outcome, search.Results) or outcome in {
        "query_empty",
        "query_long",
        "invalid_query",
    }


def test_snippets_escape_html_from_merchants(cast) -> None:
    cast.ticket(subject="Script <script>alert(1)</script> payment", description="body")
    hits = search.search_tickets(user=cast.alice, query="payment").hits
    # Escaped (SQLite) or dropped as markup by ts_headline (PostgreSQL): never live.
    assert "<script" not in hits[0].snippet
    assert "<mark>payment</mark>" in hits[0].snippet


# ------------------------------------------------------------------ attachment names


def _file(name: str) -> Upload:
    return Upload(filename=name, content_type="application/pdf", data=b"%PDF-1.4 ...")


def _text(snippet: str) -> str:
    return re.sub(r"</?mark>", "", snippet)


@pytest.fixture
def files(cast):
    """Alice's ticket with an invoice in its description and a screenshot in a reply; an
    internal note with a file on it; Bob's ticket with an invoice of his own."""
    acme = cast.ticket(
        subject="Checkout broken",
        description="See the attached file.",
        files=[_file("invoice-2211.pdf")],
    )
    services.ticket_reply(
        actor=cast.alice, ticket=acme, body="And this.", files=[_file("cart_error.PNG")], now=T0
    )
    note = services.ticket_reply(
        actor=cast.ravi,
        ticket=acme,
        body="Logs attached.",
        internal=True,
        files=[_file("gateway-trace.log")],
        now=T0,
    )
    bolt = cast.ticket(who="bob", subject="Gateway down", description="Nothing attached.")
    services.ticket_reply(
        actor=cast.bob, ticket=bolt, body="Receipt.", files=[_file("invoice-9.pdf")], now=T0
    )
    return {"acme": acme, "note": note, "bolt": bolt}


def test_a_file_name_is_found_by_a_word_of_it_or_whole(cast, files) -> None:
    acme = files["acme"].pk
    for query in ("invoice", "invoices", "2211", "invoice-2211.pdf", '"invoice 2211"', "cart"):
        assert _ids(search.search_tickets(user=cast.alice, query=query)) == [acme], query
    assert search.search_tickets(user=cast.alice, query="2212").hits == []
    # The snippet is the name as written, said to be an attachment, the word marked.
    (hit,) = search.search_tickets(user=cast.alice, query="invoice").hits
    assert hit.snippet == "Attachment: <mark>invoice</mark>-2211.pdf"
    (whole,) = search.search_tickets(user=cast.alice, query="invoice-2211.pdf").hits
    assert _text(whole.snippet) == "Attachment: invoice-2211.pdf" and "<mark>" in whole.snippet
    (shot,) = search.search_tickets(user=cast.alice, query="error").hits
    assert shot.snippet == "Attachment: cart_<mark>error</mark>.PNG"


def test_a_file_names_snippet_is_escaped(cast, files) -> None:
    services.ticket_reply(
        actor=cast.alice,
        ticket=files["acme"],
        body="odd name",
        files=[_file("<img src=x onerror=alert(1)>.png")],
        now=T0,
    )
    (hit,) = search.search_tickets(user=cast.alice, query="onerror").hits
    assert "<img" not in hit.snippet and "&lt;img" in hit.snippet
    assert "<mark>onerror</mark>" in hit.snippet


def test_a_merchant_never_finds_another_merchants_file(cast, files) -> None:
    assert _ids(search.search_tickets(user=cast.alice, query="invoice")) == [files["acme"].pk]
    assert _ids(search.search_tickets(user=cast.bob, query="invoice")) == [files["bolt"].pk]
    assert search.search_tickets(user=cast.bob, query="2211").hits == []
    assert search.search_tickets(user=cast.bob, query="cart").hits == []
    both = _ids(search.search_tickets(user=cast.ravi, query="invoice"))
    assert sorted(both) == sorted([files["acme"].pk, files["bolt"].pk])


def test_a_file_on_an_internal_note_is_found_by_staff_only(cast, files) -> None:
    assert search.search_tickets(user=cast.alice, query="trace").hits == []
    assert search.search_tickets(user=cast.alice, query="gateway-trace.log").hits == []
    # Staff see it, the account manager of the store too (internal notes are for all staff).
    assert _ids(search.search_tickets(user=cast.maya, query="trace")) == [files["acme"].pk]
    (hit,) = search.search_tickets(user=cast.ravi, query="trace").hits
    assert hit.ticket.pk == files["acme"].pk and "<mark>trace</mark>" in hit.snippet
    # The note made public takes its file with it, and back.
    TicketMessage.objects.filter(pk=files["note"].pk).update(internal=False)
    assert _ids(search.search_tickets(user=cast.alice, query="trace")) == [files["acme"].pk]
    TicketMessage.objects.filter(pk=files["note"].pk).update(internal=True)
    assert search.search_tickets(user=cast.alice, query="trace").hits == []


def test_file_names_follow_a_merge_a_rename_and_a_delete(cast, files) -> None:
    keep = cast.ticket(subject="Checkout broken again", description="Same as before.")
    incidents.tickets_merge(actor=cast.ravi, survivor=keep, duplicates=[files["acme"]], now=T0)
    assert _ids(search.search_tickets(user=cast.alice, query="invoice")) == [keep.pk]
    assert _ids(search.search_tickets(user=cast.alice, query="cart")) == [keep.pk]
    # The note's file moved too, still internal.
    assert search.search_tickets(user=cast.alice, query="trace").hits == []
    assert _ids(search.search_tickets(user=cast.ravi, query="trace")) == [keep.pk]
    Attachment.objects.filter(filename="invoice-2211.pdf").update(filename="receipt-2211.pdf")
    assert search.search_tickets(user=cast.alice, query="invoice").hits == []
    assert _ids(search.search_tickets(user=cast.alice, query="receipt")) == [keep.pk]
    Attachment.objects.filter(filename="receipt-2211.pdf").delete()
    assert search.search_tickets(user=cast.alice, query="receipt").hits == []
    # A ticket given to another merchant takes every document with it (never happens through
    # the services; the index must still not keep the old tenant).
    Ticket.objects.filter(pk=keep.pk).update(merchant=cast.bolt, store=cast.bolt_gadgets)
    assert search.search_tickets(user=cast.alice, query="cart").hits == []
    assert search.search_tickets(user=cast.alice, query="again").hits == []
    assert keep.pk in _ids(search.search_tickets(user=cast.bob, query="cart"))


def test_similar_tickets_ignore_file_names(cast, files) -> None:
    similar = search.similar_by_words(user=cast.alice, text="invoice cart error")
    assert similar == []
    assert search.similar_by_words(user=cast.alice, text="checkout broken") != []


class _Editor:
    """What the migration's functions use of a schema editor, inside the test's transaction."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_indexes_the_files_already_there(cast, files) -> None:
    migration = importlib.import_module("helpline.reports.migrations.0003_search_attachment_names")
    migration.backwards(None, _Editor())
    assert search.search_tickets(user=cast.alice, query="invoice").hits == []
    migration.forwards(None, _Editor())
    assert _ids(search.search_tickets(user=cast.alice, query="invoice")) == [files["acme"].pk]
    assert search.search_tickets(user=cast.alice, query="trace").hits == []
    assert _ids(search.search_tickets(user=cast.ravi, query="trace")) == [files["acme"].pk]
