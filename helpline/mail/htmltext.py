"""HTML → readable plain text with the stdlib html.parser (no dependency, no network).

Used for the text of HTML-only mail and, through its "> " blockquotes, for reply extraction.
Not a sanitiser: the HTML itself is shown only after nh3 (the display layer's job).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]


class _TextExtractor(HTMLParser):
    """Blocks on their own lines, paragraphs apart, <br> as a line break, blockquotes as "> "."""

    _SKIP = frozenset({"script", "style", "head", "title", "template"})
    _PARAGRAPH = frozenset(
        {
            "p", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
            "hr", "dl", "address", "center", "form", "fieldset",
        }
    )  # fmt: skip
    _LINE = frozenset(
        {
            "div", "tr", "li", "dt", "dd", "section", "article", "header", "footer", "body",
            "html", "caption",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.quote = 0
        self.pre = 0
        self.blank_pending = False
        self.blank_prefix = ""

    def _prefix(self) -> str:
        return "> " * self.quote

    def _end_line(self, force: bool = False) -> None:
        text = "".join(self.current)
        self.current = []
        text = text if self.pre else " ".join(text.split())
        if text or force:
            self.lines.append((self._prefix() + text).rstrip())

    def _close_line(self) -> None:
        if "".join(self.current).strip():
            self._end_line()
        else:
            self.current = []

    def _mark_paragraph(self, paragraph: bool) -> None:
        if paragraph and self.lines:
            self.blank_pending = True
            self.blank_prefix = self._prefix().rstrip()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
            return
        if tag == "br":
            self._end_line(force=True)
        elif tag in self._PARAGRAPH or tag in self._LINE:
            self._close_line()
            self._mark_paragraph(tag in self._PARAGRAPH)
            if tag == "blockquote":
                self.quote += 1
            elif tag == "pre":
                self.pre += 1
            elif tag == "li":
                self.handle_data("- ")
        elif tag in ("td", "th"):
            self.current.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.handle_data(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self._SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self._PARAGRAPH or tag in self._LINE:
            self._close_line()
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._mark_paragraph(tag in self._PARAGRAPH)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.blank_pending and data.strip():
            self.blank_pending = False
            if self.lines and self.lines[-1].strip(" >"):
                self.lines.append(self.blank_prefix)
        self.current.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text from HTML (stdlib html.parser): blocks on their own lines, paragraphs
    apart, blockquotes as "> " quotes, scripts and styles dropped, entities decoded."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; this is a last resort
        return " ".join(re.sub(r"<[^>]{0,2000}>", " ", html).split())
    parser._end_line()
    out: list[str] = []
    for line in parser.lines:  # at most one blank line in a row
        if not line.strip(" >") and (not out or not out[-1].strip(" >")):
            continue
        out.append(line.replace("\xa0", " "))
    while out and not out[-1].strip(" >"):
        out.pop()
    return "\n".join(out)
