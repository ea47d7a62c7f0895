"""Markdown to safe HTML (decision 0220): Python-Markdown renders, nh3 keeps an allow-list.

Article bodies are written by staff but may be pasted from tickets (merchant text) or from
anywhere: whatever raw HTML the Markdown carries goes through the same allow-list. Scripts,
styles and iframes are dropped with their content, every ``on*`` attribute and ``style`` is
dropped, and a link or image whose address is not http(s) or mailto (``javascript:``,
``data:``, ``vbscript:`` …) loses its address.
"""

from __future__ import annotations

import markdown
import nh3

TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt",
        "dd",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"scope"}}
SCHEMES = frozenset({"http", "https", "mailto"})


def to_html(body: str) -> str:
    """The article's Markdown as HTML that is safe to show."""
    html = markdown.markdown(body or "", extensions=["tables", "fenced_code", "sane_lists"])
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        url_schemes=set(SCHEMES),
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript"},
    )
