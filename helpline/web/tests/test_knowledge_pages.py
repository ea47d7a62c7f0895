"""Knowledge-base pages (decisions 0220, 0221): public articles at clean URLs, the help page,
search, suggestions while a merchant writes, "this solved it", the staff page."""

from __future__ import annotations

from django.db import connection
from django.test import Client

from helpline.conftest import T0
from helpline.knowledge import services
from helpline.knowledge.models import Article, Deflection
from helpline.tickets.models import Ticket


def _article(cast, **more):
    category = services.category_create(actor=cast.ravi, name="Payments")
    fields = {
        "title": "Card payments declined at checkout",
        "body": "If every card payment is declined at checkout, re-enter the gateway key.",
        "status": "published",
        **more,
    }
    return services.article_create(actor=cast.ravi, category=category, **fields)


def test_public_article_pages_and_the_help_page(cast, signed_in) -> None:
    article = _article(cast)
    page = Client().get("/help/payments/card-payments-declined-at-checkout/")
    assert page.status_code == 200 and "re-enter the gateway key" in page.content.decode()
    help_page = Client().get("/help/").content.decode()
    assert "How support works" in help_page  # the policy's page still works
    assert "/help/getting-help/before-a-c1/" in help_page and article.title in help_page
    assert Client().get("/help/getting-help/before-a-c1/").status_code == 200
    assert Client().get("/help/payments/nothing-here/").status_code == 404


def test_merchant_only_and_draft_articles_look_unknown_to_others(cast, signed_in) -> None:
    _article(cast, visibility="merchants")
    url = "/help/payments/card-payments-declined-at-checkout/"
    assert Client().get(url).status_code == 404
    assert signed_in("alice").get(url).status_code == 200
    services.article_update(
        actor=cast.ravi, article=Article.objects.get(category__slug="payments"), status="draft"
    )
    assert signed_in("alice").get(url).status_code == 404
    assert signed_in("ravi").get(url).status_code == 200


def test_articles_are_in_the_site_search(cast, signed_in) -> None:
    _article(cast)
    html = signed_in("alice").get("/search/", {"q": "declined card"}).content.decode()
    assert 'id="article-hits"' in html and "Card payments declined at checkout" in html
    html = signed_in("alice").get("/search/", {"q": "unrelated words"}).content.decode()
    assert 'id="article-hits"' not in html


def test_a_matching_article_is_suggested_and_counted_once(cast, signed_in) -> None:
    article = _article(cast)
    alice = signed_in("alice")
    draft = {"subject": "Card payment declined", "description": "customers cannot pay at checkout"}
    html = alice.post("/support/new/similar/", draft).content.decode()
    assert article.title in html and "This solved it" in html
    alice.post("/support/new/similar/", draft)  # typing on: counted once per session
    assert Deflection.objects.filter(kind="shown").count() == 1
    quiet = alice.post("/support/new/similar/", {"subject": "Add Google Analytics 4"})
    assert quiet.content.strip() == b""


def test_this_solved_it_withdraws_the_draft_and_is_counted(cast, signed_in) -> None:
    article = _article(cast)
    alice = signed_in("alice")
    before = Ticket.objects.count()
    opened = alice.get(f"/support/new/article/{article.pk}/")
    assert opened.status_code == 302 and opened["Location"].startswith("/help/payments/")
    draft = {"subject": "Card declined", "description": "at checkout", "store": "1"}
    solved = alice.post(f"/support/new/article/{article.pk}/solved/", draft)
    assert solved.status_code == 302 and solved["Location"] == "/support/"
    assert Ticket.objects.count() == before  # nothing was filed
    kinds = sorted(Deflection.objects.values_list("kind", flat=True))
    assert kinds == ["clicked", "solved"]
    report = signed_in("ravi").get("/console/knowledge/").content.decode()
    assert 'id="deflection"' in report and article.title in report
    assert signed_in("alice").get("/console/knowledge/").status_code == 404
    assert alice.post("/support/new/article/999999/solved/").status_code == 404


def _queries(call):
    # execute_wrapper, not CaptureQueriesContext: the search's SQL has a literal "%" that the
    # debug cursor's SQLite formatting of the executed query cannot print
    ran = []

    def record(execute, sql, params, many, context):
        ran.append(sql[:60])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return ran


def test_the_suggestion_panel_has_a_fixed_number_of_queries(cast, signed_in) -> None:
    _article(cast)
    for n in range(5):
        cast.ticket(subject=f"Card payment declined {n}", description="at checkout", at=T0)
    alice = signed_in("alice")
    draft = {"subject": "Card payment declined", "description": "customers cannot pay"}
    alice.post("/support/new/similar/", draft)  # warms the article index
    few = _queries(lambda: alice.post("/support/new/similar/", draft))
    for n in range(20):
        cast.ticket(subject=f"Card payment declined again {n}", description="checkout", at=T0)
    many = _queries(lambda: alice.post("/support/new/similar/", draft))
    # the same count whatever the number of tickets (PostgreSQL adds savepoints: ≤ 20)
    assert len(many) == len(few) <= 20, many


def test_staff_draft_an_article_from_a_resolved_ticket_in_one_click(cast, signed_in) -> None:
    from helpline.tickets import services as tickets

    ticket = cast.ticket(subject="COD option missing", description="COD vanished at checkout")
    tickets.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Re-enabled COD.", now=T0)
    ravi = signed_in("ravi")
    assert (
        "Draft an article from this ticket" in ravi.get(f"/console/t/{ticket.pk}/").content.decode()
    )
    answer = ravi.post(f"/console/t/{ticket.pk}/article/")
    assert answer.status_code == 302 and "/admin/knowledge/article/" in answer["Location"]
    article = Article.objects.get(source_ticket_id=ticket.pk)
    assert "Re-enabled COD." in article.body and article.status == "draft"
    assert signed_in("alice").post(f"/console/t/{ticket.pk}/article/").status_code == 404


def test_overdue_reviews_listed_for_staff(cast, signed_in) -> None:
    from datetime import date

    _article(cast, review_by=date(2020, 1, 1))
    html = signed_in("ravi").get("/console/knowledge/").content.decode()
    assert 'id="overdue"' in html and "Card payments declined at checkout" in html
