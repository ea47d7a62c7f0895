"""Text out of mail bytes: body bytes in a declared (or wrong, or missing) charset, RFC 2047
encoded words and raw 8-bit bytes in headers. Each falls back to a best-effort decoding and names
what it could not decode cleanly in ``defects`` instead of raising."""

from __future__ import annotations

import codecs
import email.header
import functools
import re

_CHARSET_ALIASES = {
    "": "ascii",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "unknown-8bit": "",
    "x-unknown": "",
    "unknown": "",
    "default": "",
    "iso-8859-8-i": "iso-8859-8",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",  # GB18030 is a superset that real senders rely on
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "windows-874": "cp874",
    "x-mac-roman": "mac_roman",
    "utf8": "utf-8",
}


@functools.lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    """ASCII, Latin-1, cp1252, KOI8-R, ISO-8859-x …: one byte, one character. Text declared in one
    of these that is valid UTF-8 with non-ASCII bytes is UTF-8 (mail clients and form mailers that
    label everything Latin-1); real single-byte text is almost never valid UTF-8 by chance."""
    if codec == "ascii":
        return True
    if codec.startswith("utf"):
        return False
    try:
        return len(bytes(range(128, 256)).decode(codec, "replace")) == 128
    except Exception:
        return False


def _codec(charset: str) -> str | None:
    name = charset.strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None, defects: list[str], where: str) -> str:
    """Decode `data` declared as `charset`; never fails. Whatever was not clean goes to defects."""
    declared = (charset or "").strip().strip("\"'")
    if data.isascii():
        return data.decode("ascii")
    codec = _codec(declared) if declared else None
    if declared and codec is None:
        defects.append(f"{where}: unknown charset {declared!r}")
    if codec is not None:
        if _single_byte(codec):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                if codec != "ascii":
                    defects.append(f"{where}: declared {declared} but the content is UTF-8")
                else:
                    defects.append(f"{where}: declared us-ascii but has 8-bit UTF-8 content")
                return text
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            defects.append(f"{where}: content does not match its charset {declared!r}")
        except Exception:  # a codec that fails in its own way (utf-7 on junk, …)
            defects.append(f"{where}: content does not match its charset {declared!r}")
    elif not declared:
        defects.append(f"{where}: 8-bit content without a charset")
    for fallback in ("utf-8", "cp1252"):
        try:
            return data.decode(fallback)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def unescape_8bit(value: str, defects: list[str], where: str) -> str:
    """Header values with raw 8-bit bytes come out of the parser as surrogate escapes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            defects.append(f"{where}: 8-bit header that is not UTF-8")
            return raw.decode("cp1252", "replace")
    return value


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def decode_words(value: str, defects: list[str], where: str) -> str:
    """RFC 2047 encoded words, decoded with the same charset fallback as bodies."""
    value = unescape_8bit(value, defects, where)
    if "=?" not in value or not _ENCODED_WORD.search(value):
        return value
    try:
        chunks = email.header.decode_header(value)
    except Exception:
        defects.append(f"{where}: broken encoded word")
        return value
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(decode_bytes(chunk, charset or "utf-8", defects, where))
    return "".join(out)


def normalise_space(value: str) -> str:
    return " ".join(value.split())
