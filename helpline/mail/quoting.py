"""The new text of a reply: the quoted history and the signature cut off.

Line-based and bounded (the first 200 kB, lines over 1,000 characters never taken for headers,
attribution windows of three lines, no nested quantifiers), so a hostile body costs what a normal
one does. The whole body stays in ParsedMessage.text; this only decides what a ticket shows.

The history starts at the first of:
- an attribution, possibly wrapped over up to three lines: "On … wrote:", "Am … schrieb …:",
  "Le … a écrit :", "El … escribió:", "Il … ha scritto:", "Op … schreef …:", "Em … escreveu:",
  "W dniu … napisał:", "… kirjoitti:", "… написал:" — or any short line with an address and a
  date or time that ends in ":" ("30.09.2017, 18.30, "John" <j@x.com>:");
- a separator: "-----Original Message-----" and its translations, "Begin forwarded message:",
  "---------- Forwarded message ----------", any "----- words -----" line, a line of underscores;
- an Outlook header block: "From:" (Von:/De :/Da:/Van:/Fra:/Från:/Od:/От: …) followed within a
  few lines by Sent:/Date:/To:/Subject: (in those languages);
- a ">" quoted line;
- a signature: "-- ", "--", "__" or "———" alone on a line, or "Sent from my iPhone"-style lines.

Answers written between the quoted lines (a ">" block, a blank line, then the answer) are kept:
the new text is then everything not quoted, minus attributions and signature.
"""

from __future__ import annotations

import re

__all__ = ["extract_new_text"]

MAX_CHARS = 200_000
_LONG_LINE = 1000

_WROTE = (
    r"wrote|writes|schrieb|a écrit|a ecrit|escribió|escribio|ha scritto|schreef|escreveu"
    r"|napisał\(a\)|napisał|napisala|skrev|kirjoitti|написал\(а\)|написала|написал|écrit"
    r"|yazdı|írta|napsal|scrisse|rakstīja|parašė|ha escrit|έγραψε|写道|のメッセージ"
)
_WROTE_RE = re.compile(rf"(?:^|\W)(?:{_WROTE})(?:$|\W)", re.IGNORECASE)
_WROTE_AT_END = re.compile(rf"(?:^|\W)(?:{_WROTE})$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(
    r"^(?:on|am|le|el|il|in data|op|em|w dniu|dnia|den|d\.|dne|pe|på|на|в)\s",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")

_SEPARATOR = re.compile(
    r"^[-=_*\s]*(?:"
    r"original message|ursprüngliche nachricht|message d['’]origine|mensaje original"
    r"|messaggio originale|oorspronkelijk bericht|originalmeddelande"
    r"|oprindelig (?:meddelelse|besked)"
    r"|opprinnelig melding|alkuperäinen viesti|mensagem original|wiadomość oryginalna"
    r"|исходное сообщение|původní zpráva|reply message|forwarded message"
    r"|weitergeleitete nachricht|message transféré|mensaje reenviado|begin forwarded message"
    r")[-=_*:\s]*$",
    re.IGNORECASE,
)
_DASHED_TITLE = re.compile(r"^-{3,}[^-]{1,40}-{3,}$")
_UNDERSCORES = re.compile(r"^_{20,}$")

_FROM = (
    r"from|von|de|da|van|fra|från|od|от|lähettäjä|feladó|kimden|afzender|expéditeur|remitente"
    r"|message du"
)
_HEADER_FIELD = (
    r"sent|date|to|subject|cc|gesendet|datum|an|betreff|envoyé le|envoyé|envoye|à|objet|sujet"
    r"|copie à|enviado|fecha|para|asunto|inviato|data|oggetto|a|verzonden|aan|onderwerp|sendt"
    r"|til|emne|dato|skickat|ämne|wysłano|temat|do|отправлено|дата|кому|тема|lähetetty"
    r"|vastaanottaja|aihe|gönderildi|konu|de"
)
_FROM_LINE = re.compile(rf"^[*>]*\s*(?:{_FROM})\s*[*]?\s*:\s*[*]?\s*\S", re.IGNORECASE)
_HEADER_LINE = re.compile(rf"^\s*[*>]*\s*(?:{_HEADER_FIELD})\s*[*]?\s*:", re.IGNORECASE)

_SIGNATURE = re.compile(r"^(?:-- ?|__|[—–]{1,20})\s*$")
_ANGLE_URL = re.compile(r"<[^<>\s]{1,500}>|\([^()\s]{1,500}\)")
_SENT_FROM = re.compile(
    r"^(?:sent from (?:my )?[\w .-]{1,40}|sent with [\w .-]{1,40}|sent via [\w .-]{1,40}"
    r"|sent using [\w .-]{1,40}|get outlook for \w+|envoyé de mon [\w .-]{1,40}"
    r"|envoyé (?:à partir|depuis) (?:de )?[\w .-]{1,40}|enviado desde mi [\w .-]{1,40}"
    r"|enviado do meu [\w .-]{1,40}|von meinem [\w .-]{1,40} gesendet"
    r"|gesendet von [\w .-]{1,40}|inviato da [\w .-]{1,40}|verzonden (?:vanaf|met) [\w .-]{1,40}"
    r"|verstuurd vanaf [\w .-]{1,40}|skickat från [\w .-]{1,40}|sendt fra [\w .-]{1,40}"
    r"|отправлено с [\w .-]{1,40})\s*$",
    re.IGNORECASE,
)
_TRAILING_JUNK = re.compile(r"^[-_=*—–\s]*$")


def _is_signature(line: str) -> bool:
    stripped = line.strip()
    if _SIGNATURE.match(line.rstrip()) or _SIGNATURE.match(stripped):
        return True
    if len(stripped) > 120 or not stripped[:1].isalpha():
        return False
    return bool(_SENT_FROM.match(_ANGLE_URL.sub("", stripped).strip()))


def _quoted(line: str) -> bool:
    """A ">" line, but not the ">:" tail of an attribution wrapped inside its "<address>"."""
    stripped = line.lstrip()
    return stripped.startswith(">") and not stripped[1:].lstrip().startswith((":", "："))


def _next_nonblank(lines: list[str], i: int) -> str | None:
    for line in lines[i : i + 4]:
        if line.strip():
            return line
    return None


def _wrote_at_end(text: str) -> bool:
    """ "… wrote:" / "… a écrit :" / "… wrote" (string methods: no regex over whitespace runs)."""
    tail = text.rstrip().rstrip(":：").rstrip()[-40:]
    return _WROTE_AT_END.search(tail) is not None


def _attribution_length(lines: list[str], i: int) -> int:
    """How many lines (1-3) from `i` make an attribution ("On … wrote:"); 0 if none."""
    window = ""
    first = lines[i].strip()
    # Without an opening word ("On", "Am" …) a wrapped attribution's first line has its date or
    # address in it; "Hi," above "On … wrote:" is not part of it.
    first_looks_dated = "@" in first or "<" in first or _DIGIT.search(first) is not None
    for k in range(3):
        j = i + k
        if j >= len(lines):
            break
        line = lines[j].strip()
        if not line or _quoted(line) or len(line) > 400:
            break
        window = f"{window} {line}" if window else line
        text = window.strip(" \t-")
        if not text:
            break
        ends_colon = text.endswith((":", "："))
        wrote_at_end = _wrote_at_end(text)
        if not (ends_colon or wrote_at_end):  # every attribution ends in one or the other
            continue
        if _ATTRIBUTION_START.match(text) and _WROTE_RE.search(text) is not None:
            return k + 1
        if k and not first_looks_dated:
            continue
        if ends_colon and "@" in text and _DIGIT.search(text) and len(text) < 400:
            return k + 1
        if wrote_at_end and ("@" in text or _DIGIT.search(text)):
            return k + 1
        if wrote_at_end and ends_colon and len(text) < 120:
            following = _next_nonblank(lines, j + 1)
            if following is not None and _quoted(following):
                return k + 1
    return 0


def _header_block_follows(lines: list[str], i: int) -> bool:
    """After a From: line, a Sent:/To:/Subject: line (one wrapped address line allowed)."""
    loose = 0
    for line in lines[i + 1 : i + 6]:
        if not line.strip():
            continue
        if _HEADER_LINE.match(line):
            return True
        loose += 1
        if loose > 1:
            return False
    return False


def _history_start(lines: list[str]) -> tuple[int, str] | None:
    """(index, kind) of the first line of quoted history or signature; kind is "quote" for a
    ">" block (with its attribution), "sig" for a signature, "history" for the rest."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or len(stripped) > _LONG_LINE:
            continue
        if _quoted(stripped):
            return _back_over_attribution(lines, i), "quote"
        if _is_signature(line):
            return i, "sig"
        if (
            _SEPARATOR.match(stripped)
            or _UNDERSCORES.match(stripped)
            or _DASHED_TITLE.match(stripped)
        ):
            return i, "history"
        length = _attribution_length(lines, i)
        if length:
            following = _next_nonblank(lines, i + length)
            return i, "quote" if following is not None and _quoted(following) else "history"
        if _FROM_LINE.match(stripped) and _header_block_follows(lines, i):
            return i, "history"
        if _HEADER_LINE.match(stripped) and _header_run(lines, i):
            return i, "history"
    return None


def _header_run(lines: list[str], i: int) -> bool:
    """Hotmail and others start the block with Date:/Subject:: three header lines in a row, one
    of them From:."""
    run = lines[i : i + 5]
    count = 0
    has_from = False
    for line in run:
        if _FROM_LINE.match(line.strip()):
            has_from = True
        elif not _HEADER_LINE.match(line):
            break
        count += 1
    return count >= 3 and has_from


def _back_over_attribution(lines: list[str], i: int) -> int:
    """A ">" block is often preceded by an attribution the patterns above missed."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0:
        return i
    line = lines[j].strip()
    if line.endswith(":") and len(line) < 300 and ("@" in line or _DIGIT.search(line)):
        return j
    return i


def _strip_trailing_junk(lines: list[str]) -> list[str]:
    while lines and _TRAILING_JUNK.match(lines[-1]):
        lines.pop()
    return lines


def _join(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line.rstrip())
    return "\n".join(out).strip()


def extract_new_text(text: str) -> str:
    """The text above the quoted history and the signature, plus answers written between quoted
    lines; the whole text when that would leave nothing."""
    body = text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    found = _history_start(lines)
    if found is None:
        return _join(lines)
    cut, kind = found
    new = _strip_trailing_junk(lines[:cut])
    if kind == "quote":
        between = _interleaved(lines[cut:])
        if between:
            new = [*new, "", *between]
    return _join(new) or _join(lines)


def _interleaved(lines: list[str]) -> list[str]:
    """Unquoted paragraphs between and after ">" blocks, up to a signature or another history.

    An unquoted line right after a long quoted line is the quote's own wrapped tail (mail
    clients break "> long line" into "> long" + "line"), not an answer.
    """
    out: list[str] = []
    i = 0
    n = len(lines)
    previous = ""
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if _quoted(stripped):
            previous = line
            i += 1
            continue
        if not stripped:
            previous = line
            out.append("")
            i += 1
            continue
        if _quoted(previous) and len(previous) >= 60:  # a wrapped quote line
            previous = ">"
            i += 1
            continue
        if _is_signature(line) or _SEPARATOR.match(stripped) or _UNDERSCORES.match(stripped):
            break
        if _FROM_LINE.match(stripped) and _header_block_follows(lines, i):
            break
        length = _attribution_length(lines, i)
        if length:
            following = _next_nonblank(lines, i + length)
            if following is None or not _quoted(following):
                break
            i += length
            continue
        out.append(line)
        previous = line
        i += 1
    return out if any(line.strip() for line in out) else []
