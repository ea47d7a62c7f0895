"""The admin writes articles through the services: the body is sanitised there too (0220)."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.knowledge.models import Article, Category


@pytest.fixture
def admin_client(cast) -> Client:
    client = Client()
    client.force_login(cast.ada)
    return client


def test_an_article_added_and_changed_in_the_admin_is_sanitised(admin_client, cast) -> None:
    category = Category.objects.get(slug="getting-help")
    form = {
        "category": category.pk,
        "title": "Refund timelines",
        "slug": "refund-timelines",
        "language": "en",
        "visibility": "public",
        "status": "published",
        "review_by": "",
        "body": "Banks take 5–7 days.<script>steal()</script><iframe src=x></iframe>",
    }
    added = admin_client.post("/admin/knowledge/article/add/", form)
    assert added.status_code == 302, added.content.decode()[:2000]
    article = Article.objects.get(slug="refund-timelines")
    assert "Banks take 5–7 days." in article.body_html
    assert "<script" not in article.body_html and "<iframe" not in article.body_html
    assert article.author == cast.ada and article.published_at is not None
    changed = admin_client.post(
        f"/admin/knowledge/article/{article.pk}/change/",
        {**form, "body": '[x](javascript:alert(1)) <img src=x onerror="alert(1)">'},
    )
    assert changed.status_code == 302
    article.refresh_from_db()
    assert "javascript" not in article.body_html and "onerror" not in article.body_html
    assert Article.objects.filter(slug="refund-timelines").count() == 1
