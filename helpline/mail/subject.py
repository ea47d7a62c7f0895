"""Priority tags in a mail subject (docs/policy.md, Channels) and reply-prefix stripping.

`C1` or `System Down` as whole words, any case → C1; `C2`/`C3`/`C4` → that priority; with several
tags the highest (C1 highest) wins. "Whole word" means not touching a letter, digit or
underscore on either side: `C10`, `ABC1`, `c1ient`, `C1_x` and "systems are down" are not tags;
`[C1]`, `(c1)`, `C1:` and `C1-urgent` are.
"""

from __future__ import annotations

import re

__all__ = ["priority_tags", "strip_reply_prefixes"]

_TAG = re.compile(r"(?<!\w)(?:c([1-4])|system\s+down)(?!\w)", re.IGNORECASE)

_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|tr|rv|antw|odp|res|ynt|vá|réf|ref|отв|回复|答复|转发)"
    r"\s*(?:\[\d{1,4}\]|\(\d{1,4}\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def priority_tags(subject: str) -> str | None:
    """ "C1".."C4" for the highest tag in `subject`, None when it has none."""
    best: int | None = None
    for match in _TAG.finditer(subject[:2000]):
        level = int(match.group(1)) if match.group(1) else 1
        if best is None or level < best:
            best = level
            if best == 1:
                break
    return f"C{best}" if best is not None else None


def strip_reply_prefixes(subject: str) -> str:
    """ "Re: AW: Fwd: x" → "x" (Re:, RE :, Fwd:, FW:, AW:, WG:, SV:, VS:, TR:, RV:, Re[2]: …)."""
    return _REPLY_PREFIX.sub("", subject).strip()
