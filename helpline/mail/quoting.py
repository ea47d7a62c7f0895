"""The new text of a reply: the quoted history and the signature cut off.

Line-based and bounded (the first 200 kB, header windows of three lines, no backtracking-heavy
patterns), so a hostile body costs what a normal one does. The whole body stays in
ParsedMessage.text; this only decides what a ticket shows as the message.

The history starts at the first of:
- an attribution line, possibly wrapped over up to three lines: "On … wrote:", "Am … schrieb …:",
  "Le … a écrit :", "El … escribió:", "Il … ha scritto:", "Op … schreef …:", "Em … escreveu:",
  "W dniu … napisał(a):", "Den … skrev:", "… kirjoitti:", "… написал(а):", and the like;
- an "-----Original Message-----" / "Ursprüngliche Nachricht" / "Message d'origine" separator,
  a "Begin forwarded message:" / "---------- Forwarded message ----------" line, or a line of
  underscores (Outlook's separator);
- an Outlook header block: "From:" (Von:/De:/Da:/Van:/Fra:/Från:/Od:/От:/Lähettäjä:) followed
  within a few lines by a Sent:/Date:/To:/Subject: line (in any of those languages);
- a run of ">" quoted lines (with "On … wrote:" or not);
- a signature: "-- " / "--" alone on a line, "__" alone, or "Sent from my iPhone"-style lines.
"""

from __future__ import annotations

import re

__all__ = ["extract_new_text"]

MAX_CHARS = 200_000

_WROTE = (
    r"wrote|writes|schrieb|a écrit|a ecrit|escribió|escribio|ha scritto|schreef|escreveu"
    r"|napisał\(a\)|napisał|napisala|skrev|kirjoitti|написал\(а\)|написала|написал|écrit"
    r"|yazdı|írta|napsal|scrisse|kirjutas|rakstīja|parašė|ha escrit|έγραψε"
    r"|\u5199\u9053|\u3055\u3093\u306f\u66f8\u304d\u307e\u3057\u305f|\u308f\u307e\u3057\u305f"
)
# "On <date>, <name> wrote:" in one line (the line may be long: names, dates and addresses).
_ATTRIBUTION_START = re.compile(
    r"^\s*(?:on|am|le|el|il|op|em|w dniu|den|d\.|dne|pe|на|в|El día|Le \w+|"
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}年)\b",
    re.IGNORECASE,
)
_ATTRIBUTION_END = re.compile(rf"(?:{_WROTE})\s*[:：]?\s*$", re.IGNORECASE)
# "<name> <email> wrote:" / "<name> kirjoitti:" without an opening word.
_ATTRIBUTION_ANY = re.compile(rf"^.{{0,200}}(?:@|\d).{{0,200}}\b(?:{_WROTE})\s*[:：]\s*$", re.I)

_SEPARATOR = re.compile(
    r"^\s*[-=_*\s]*(?:"
    r"original message|ursprüngliche nachricht|message d['’]origine|mensaje original"
    r"|messaggio originale|oorspronkelijk bericht|originalmeddelande|oprindelig meddelelse"
    r"|opprinnelig melding|alkuperäinen viesti|mensagem original|wiadomość oryginalna"
    r"|исходное сообщение|původní zpráva|reply message|forwarded message"
    r"|weitergeleitete nachricht|message transféré|mensaje reenviado|begin forwarded message"
    r")\s*[-=_*:\s]*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{20,}\s*$")

_FROM = r"from|von|de|da|van|fra|från|od|от|lähettäjä|feladó|kimden|afzender|expéditeur|remitente"
_HEADER_FIELD = (
    r"sent|date|to|subject|cc|gesendet|datum|an|betreff|envoyé|envoye|à|objet|enviado|fecha"
    r"|para|asunto|inviato|data|oggetto|a|verzonden|aan|onderwerp|sendt|til|emne|skickat|ämne"
    r"|wysłano|temat|do|отправлено|дата|кому|тема|lähetetty|vastaanottaja|aihe|gönderildi|konu"
)
_FROM_LINE = re.compile(rf"^\s*[*>]*\s*(?:{_FROM})\s*[*]?\s*:\s*[*]?\s*\S", re.IGNORECASE)
_HEADER_LINE = re.compile(rf"^\s*[*>]*\s*(?:{_HEADER_FIELD})\s*[*]?\s*:", re.IGNORECASE)

_SIGNATURE = re.compile(r"^(?:--|-- |__|—)\s*$")
_SENT_FROM = re.compile(
    r"^\s*(?:sent from my |sent from (?:mail|outlook|yahoo|samsung|aol)|sent with |"
    r"sent via |sent using |get outlook for |envoyé de mon |envoyé depuis |"
    r"enviado desde mi |enviado do meu |von meinem .{0,40} gesendet|gesendet von |"
    r"inviato da |verzonden vanaf |verstuurd vanaf |skickat från |sendt fra |"
    r"lähetetty |отправлено с )",
    re.IGNORECASE,
)


def _quote_start(lines: list[str]) -> int | None:
    """Index of the first line of the quoted history or signature, None if there is none."""
    n = len(lines)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(">"):
            return _back_over_attribution(lines, i)
        if _SIGNATURE.match(line.rstrip("\r")) or _SENT_FROM.match(stripped):
            return i
        if _SEPARATOR.match(stripped) or _UNDERSCORES.match(stripped):
            return i
        if len(stripped) <= 600:
            if _ATTRIBUTION_START.match(stripped):
                window = stripped
                for j in range(i, min(i + 3, n)):
                    if j > i:
                        window += " " + lines[j].strip()
                    if _ATTRIBUTION_END.search(window):
                        return i
            elif _ATTRIBUTION_ANY.match(stripped):
                return i
            if _FROM_LINE.match(stripped) and _header_block_follows(lines, i):
                return i
    return None


def _back_over_attribution(lines: list[str], i: int) -> int:
    """A quote block is often preceded by an attribution the patterns above missed."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j >= 0 and lines[j].rstrip().endswith(":") and len(lines[j]) < 300:
        return j
    return i


def _header_block_follows(lines: list[str], i: int) -> bool:
    seen = 0
    for line in lines[i + 1 : i + 6]:
        if not line.strip():
            continue
        if _HEADER_LINE.match(line):
            seen += 1
            if seen >= 1:
                return True
        else:
            return False
    return False


def extract_new_text(text: str) -> str:
    """The text above the quoted history and the signature; the whole text if nothing is new."""
    body = text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    cut = _quote_start(lines)
    if cut is None:
        return body.strip()
    new = "\n".join(lines[:cut]).strip()
    if new:
        return new
    return _interleaved(lines[cut:]) or body.strip()


def _interleaved(lines: list[str]) -> str:
    """Answers written between quoted lines (nothing above the first quote): the unquoted lines
    after the first quote, up to a signature."""
    out: list[str] = []
    started = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(">"):
            started = True
            continue
        if not started:
            continue
        if _SIGNATURE.match(line) or _SENT_FROM.match(stripped):
            break
        out.append(line)
    return "\n".join(out).strip()
