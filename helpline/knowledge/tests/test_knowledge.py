"""The knowledge base's services and reads (decision 0220): sanitising, versions per language,
visibility, reviews, an article drafted from a resolved ticket, deflections."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpline.conftest import T0
from helpline.core.errors import Forbidden, InvalidInput, NotFound
from helpline.knowledge import render, selectors, services
from helpline.knowledge.models import Article, Category, Deflection

ATTACKS = [
    ("<script>alert(1)</script>hello", ["<script", "alert(1)"]),
    ('<iframe src="https://evil.test"></iframe>x', ["<iframe", "evil.test"]),
    ('<img src="x.png" onerror="alert(1)">', ["onerror", "alert"]),
    ('<a href="javascript:alert(1)">go</a>', ["javascript:"]),
    ("[go](javascript:alert(1))", ["javascript:"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:"]),
    ("![x](data:image/svg+xml;base64,PHN2Zz4=)", ["data:"]),
    ('<p style="position:fixed" onclick="steal()">x</p>', ["style=", "onclick", "steal"]),
    ("<svg><script>alert(1)</script></svg>", ["<svg", "<script", "alert"]),
    ('<object data="x.swf"></object><embed src="y">', ["<object", "<embed", "x.swf"]),
    ('<form action="https://evil.test"><input name=p></form>', ["<form", "<input"]),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript:", "JaVaScRiPt"]),
]


@pytest.mark.pure
@pytest.mark.parametrize(("markdown", "gone"), ATTACKS)
def test_every_attack_is_stripped_on_render(markdown: str, gone: list[str]) -> None:
    html = render.to_html(markdown)
    for fragment in gone:
        assert fragment.lower() not in html.lower(), (markdown, html)


@pytest.mark.pure
def test_markdown_still_renders_what_is_allowed() -> None:
    html = render.to_html("## Steps\n\n1. **Open** [settings](https://x.test/s)\n\n`code`")
    assert "<h2>Steps</h2>" in html and "<strong>Open</strong>" in html
    assert 'href="https://x.test/s"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<code>code</code>" in html


@pytest.fixture
def category(cast):
    return services.category_create(actor=cast.ravi, name="Payments")


def test_staff_write_articles_sanitised_on_save(cast, category) -> None:
    article = services.article_create(
        actor=cast.ravi,
        category=category,
        title="Card payments declined",
        body="Check the gateway.<script>steal()</script>",
        status="published",
        now=T0,
    )
    assert article.slug == "card-payments-declined" and article.published_at == T0
    assert "<script" not in article.body_html and "steal" not in article.body_html
    assert "Check the gateway." in article.body_html
    services.article_update(actor=cast.ravi, article=article, body='<a href="javascript:x">a</a>')
    article.refresh_from_db()
    assert "javascript" not in article.body_html


def test_merchants_and_engineers_cannot_write(cast, category) -> None:
    for who in (cast.alice, cast.eric, None):
        with pytest.raises(Forbidden):
            services.article_create(actor=who, category=category, title="x", body="y")
    assert Article.objects.filter(category=category).count() == 0


def test_bad_fields_are_clear_errors_and_nothing_is_written(cast, category) -> None:
    bad = [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "a\x00b"},
        {"language": "english!"},
        {"visibility": "secret"},
        {"status": "live"},
        {"body": "a\x00b"},
        {"slug": "***"},
    ]
    for change in bad:
        fields: dict[str, Any] = {"title": "Title", "body": "Body", **change}
        with pytest.raises(InvalidInput):
            services.article_create(actor=cast.ravi, category=category, **fields)
    assert Article.objects.filter(category=category).count() == 0


def test_one_version_per_language(cast, category) -> None:
    en = services.article_create(
        actor=cast.ravi, category=category, title="Refunds", body="How", status="published"
    )
    with pytest.raises(InvalidInput, match="already has a en version"):
        services.article_create(actor=cast.ravi, category=category, title="Refunds", body="Again")
    hi = services.article_create(
        actor=cast.ravi,
        category=category,
        title="रिफंड",
        body="कैसे",
        slug="refunds",
        language="hi",
        status="published",
    )
    assert selectors.languages_of(en, user=None) == ["en", "hi"]
    services.article_create(
        actor=cast.ravi,
        category=category,
        title="பணம் திரும்ப",
        body="எப்படி",
        slug="refunds",
        language="ta",
        visibility="merchants",
        status="published",
    )
    # A merchant-only version is offered to merchants, never to an anonymous reader (a 404).
    assert selectors.languages_of(en, user=None) == ["en", "hi"]
    assert selectors.languages_of(en, user=cast.alice) == ["en", "hi", "ta"]
    found = selectors.article_get(user=None, category="payments", slug="refunds", language="hi")
    assert found == hi


def test_who_reads_what(cast, category) -> None:
    def make(title, **more):
        return services.article_create(
            actor=cast.ravi, category=category, title=title, body="b", **more
        )

    public = make("Public", status="published")
    merchants = make("Merchants", status="published", visibility="merchants")
    draft = make("Draft")

    def seen(user):
        return set(selectors.visible_articles(user).filter(category=category))

    assert seen(None) == {public}
    assert seen(cast.alice) == {public, merchants}
    assert seen(cast.ravi) == {public, merchants, draft}
    assert selectors.article_for(user=cast.alice, article_id=draft.pk) is None


def test_overdue_reviews_for_staff_only(cast, category) -> None:
    due = services.article_create(
        actor=cast.ravi,
        category=category,
        title="Old",
        body="b",
        status="published",
        review_by=date(2026, 1, 1),
    )
    services.article_create(
        actor=cast.ravi,
        category=category,
        title="Fresh",
        body="b",
        status="published",
        review_by=date(2027, 1, 1),
    )
    assert selectors.overdue_reviews(user=cast.ravi, today=date(2026, 6, 1)) == [due]
    assert selectors.overdue_reviews(user=cast.alice, today=date(2026, 6, 1)) == []


def test_an_article_drafted_from_a_resolved_ticket(cast, category) -> None:
    from helpline.tickets import services as tickets

    ticket = cast.ticket(subject="UPI payments fail", description="Every UPI payment fails.")
    with pytest.raises(InvalidInput, match="resolved"):
        services.article_from_ticket(actor=cast.ravi, ticket_id=ticket.pk, category=category)
    tickets.ticket_resolve(
        actor=cast.ravi, ticket=ticket, message="Re-enter the UPI merchant key.", now=T0
    )
    article = services.article_from_ticket(actor=cast.ravi, ticket_id=ticket.pk, category=category)
    assert article.title == "UPI payments fail" and article.status == "draft"
    assert article.visibility == "merchants" and article.source_ticket_id == ticket.pk
    assert "Every UPI payment fails." in article.body
    assert "Re-enter the UPI merchant key." in article.body
    again = services.article_from_ticket(actor=cast.ravi, ticket_id=ticket.pk, category=category)
    assert again.slug == "upi-payments-fail-2"
    with pytest.raises(Forbidden):
        services.article_from_ticket(actor=cast.alice, ticket_id=ticket.pk, category=category)
    with pytest.raises(NotFound):
        services.article_from_ticket(actor=cast.ravi, ticket_id=10**9, category=category)


def test_the_help_page_is_articles_after_migrating(db) -> None:
    category = Category.objects.get(slug="getting-help")
    titles = set(category.articles.values_list("title", flat=True))
    assert "Before you raise a C1 (System down)" in titles and len(titles) == 4
    assert all(a.status == "published" for a in category.articles.all())


def test_deflections_and_their_report(cast, category) -> None:
    article = services.article_create(
        actor=cast.ravi, category=category, title="A", body="b", status="published"
    )
    services.deflections_shown(user=cast.alice, article_ids=[article.pk], now=T0)
    services.deflection_record(user=cast.alice, article_id=article.pk, kind="clicked", now=T0)
    services.deflection_record(user=cast.alice, article_id=article.pk, kind="solved", now=T0)
    with pytest.raises(InvalidInput):
        services.deflection_record(user=cast.alice, article_id=article.pk, kind="liked")
    draft = services.article_create(actor=cast.ravi, category=category, title="D", body="b")
    with pytest.raises(NotFound):
        services.deflection_record(user=cast.alice, article_id=draft.pk, kind="solved")
    (row,) = selectors.deflection_report(user=cast.ravi)
    assert (row["shown"], row["clicked"], row["solved"]) == (1, 1, 1)
    assert row["solved_rate"] == 1.0
    assert selectors.deflection_report(user=cast.alice) == []
    assert Deflection.objects.count() == 3
