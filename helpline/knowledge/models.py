"""The knowledge base (decision 0220): categories, articles (one row per language), and what
merchants did with a suggestion (deflection events). No behaviour here: the services write."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Category(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    MERCHANTS = "merchants", "Merchants only"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Article(models.Model):
    """One language's version of an article; versions of one article share category and slug."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(max_length=80)
    language = models.CharField(max_length=10, default="en")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown; rendered and sanitised when saved")
    body_html = models.TextField(editable=False, default="")
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    review_by = models.DateField(null=True, blank=True)
    source_ticket_id = models.BigIntegerField(null=True, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["category__position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "slug", "language"], name="article_one_per_language"
            ),
        ]
        indexes = [
            models.Index(
                fields=["review_by"],
                name="article_review_due",
                condition=models.Q(status="published"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class DeflectionKind(models.TextChoices):
    SHOWN = "shown", "Shown"
    CLICKED = "clicked", "Clicked"
    SOLVED = "solved", "Solved: the draft was withdrawn"


class Deflection(models.Model):
    """A suggested article shown to, opened by, or "this solved it" from a merchant writing a
    ticket. Append-only; the deflection report counts them per article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    kind = models.CharField(max_length=8, choices=DeflectionKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["article", "kind"], name="deflection_article_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.article_id}"
