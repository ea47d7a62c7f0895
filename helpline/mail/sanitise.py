"""HTML from mail, made safe to show (nh3, the ammonia sanitiser).

Kept: text structure (paragraphs, lists, tables, emphasis, quotes, links to http/https/mailto,
opened in a new tab without referrer). Removed: scripts and styles with their content, every
event handler and ``style`` attribute, forms, frames, objects — and every image source except
``cid:`` parts of the same mail, which are not fetched either: remote images are tracking
pixels, so an image becomes its alt text in brackets.
"""

from __future__ import annotations

import re

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol", "p",
    "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
MAX_HTML = 500_000


def _image_placeholder(match: re.Match[str]) -> str:
    alt = _ALT.search(match.group(0))
    text = next((g for g in alt.groups() if g), "") if alt else ""
    return f"[image{': ' + text if text else ''}]"


def sanitise(html: str) -> str:
    """Safe HTML for a page; remote resources are never loaded from it."""
    if not html:
        return ""
    html = _IMG.sub(_image_placeholder, html[:MAX_HTML])
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style", "title", "head", "textarea", "noscript"},
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )
