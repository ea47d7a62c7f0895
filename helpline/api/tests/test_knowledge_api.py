"""/api/v1/articles (decision 0220): merchants list and read, staff write; /similar-tickets
answers articles beside tickets and incidents, and nothing when nothing matches (0221)."""

from __future__ import annotations

from helpline.conftest import T0
from helpline.knowledge.models import Article


def _create(api, **more):
    body = {
        "category": "getting-help",
        "title": "Coupon code not applying",
        "body": "Check the coupon's dates. <script>x()</script>",
        "status": "published",
        **more,
    }
    return api.post("articles", body)


def test_staff_write_merchants_read(cast) -> None:
    staff, merchant = cast.api("ravi"), cast.api("alice")
    made = _create(staff)
    assert made.status_code == 201, made.json_body
    article = made.json_body
    assert "<script" not in article["body_html"] and article["url"].startswith(
        "/help/getting-help/"
    )
    assert _create(merchant, title="Mine").status_code == 403
    listed = merchant.get("articles").json_body
    assert article["id"] in [a["id"] for a in listed]
    assert merchant.get(f"articles/{article['id']}").json_body["title"] == article["title"]
    found = merchant.get("articles", q="coupon").json_body
    assert [a["id"] for a in found] == [article["id"]]
    patched = staff.patch(f"articles/{article['id']}", {"status": "draft"})
    assert patched.status_code == 200 and patched.json_body["status"] == "draft"
    assert merchant.get(f"articles/{article['id']}").status_code == 404
    assert merchant.patch(f"articles/{article['id']}", {"title": "x"}).status_code == 404


def test_bad_article_bodies_are_clear_errors(cast) -> None:
    staff = cast.api("ravi")
    before = Article.objects.count()
    assert _create(staff, category="nope").status_code == 422
    assert _create(staff, visibility="secret").status_code == 422
    assert _create(staff, title="").status_code == 422
    assert _create(staff, language="!!").status_code == 422
    assert Article.objects.count() == before


def test_draft_from_ticket_and_deflections_through_the_api(cast) -> None:
    from helpline.tickets import services as tickets

    ticket = cast.ticket(subject="Refund stuck", description="Refund not reaching the buyer.")
    tickets.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Bank delay: 7 days.", now=T0)
    staff, merchant = cast.api("ravi"), cast.api("alice")
    made = staff.post(f"tickets/{ticket.pk}/article", {"category": "getting-help"})
    assert made.status_code == 201 and "Bank delay" in made.json_body["body"]
    assert merchant.post(
        f"tickets/{ticket.pk}/article", {"category": "getting-help"}
    ).status_code in (403, 404)
    article = _create(staff).json_body
    assert (
        merchant.post(f"articles/{article['id']}/deflections", {"kind": "solved"}).status_code
        == 201
    )
    report = staff.get("articles/deflection-report").json_body
    assert [(r["article"], r["solved"]) for r in report] == [(article["id"], 1)]
    assert merchant.get("articles/deflection-report").json_body == []


def test_similar_tickets_answers_articles_and_stays_quiet(cast) -> None:
    _create(cast.api("ravi"), title="Card payments declined at checkout", body="Re-enter the key.")
    merchant = cast.api("alice")
    found = merchant.post("similar-tickets", {"text": "card payment declined at checkout"})
    assert found.status_code == 200
    assert [a["title"] for a in found.json_body["articles"]] == [
        "Card payments declined at checkout"
    ]
    quiet = merchant.post("similar-tickets", {"text": "Add Google Analytics 4"}).json_body
    assert quiet["tickets"] == [] and quiet["articles"] == [] and quiet["incidents"] == []
