"""The knowledge base in the admin: every save goes through the services, so the body is
rendered and sanitised exactly as from the API (decision 0220)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from helpline.knowledge import services
from helpline.knowledge.models import Article, Category, Deflection


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "language", "visibility", "status", "review_by")
    list_filter = ("status", "visibility", "language", "category")
    search_fields = ("title", "body")
    readonly_fields = ("preview", "source_ticket_id", "published_at", "updated_at")
    fields = (
        "category",
        "title",
        "slug",
        "language",
        "visibility",
        "status",
        "review_by",
        "body",
        "preview",
        "source_ticket_id",
        "published_at",
        "updated_at",
    )

    @admin.display(description="As shown (sanitised)")
    def preview(self, obj: Article) -> str:
        if not obj.pk:
            return ""
        # body_html is sanitised by nh3's allow-list on every write (knowledge.render): shown as
        # the reader sees it, not escaped into visible tags.
        return format_html("<div class='kb-preview'>{}</div>", mark_safe(obj.body_html))  # noqa: S308

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            fields = {k: data[k] for k in services.EDITABLE if k in form.changed_data}
            # the form already set every field on obj (the category too); the service checks
            # the editable ones again, renders the body and saves
            saved = services.article_update(actor=request.user, article=obj, **fields)  # type: ignore[arg-type]
        else:
            saved = services.article_create(
                actor=request.user,  # type: ignore[arg-type]
                category=data["category"],
                title=data["title"],
                body=data["body"],
                language=data["language"],
                visibility=data["visibility"],
                status=data["status"],
                review_by=data["review_by"],
                slug=data["slug"],
            )
        obj.pk = saved.pk


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ("article", "kind", "at")
    list_filter = ("kind",)
    readonly_fields = ("article", "kind", "user", "at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
