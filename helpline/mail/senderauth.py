"""Does the mail prove its From address? DKIM and DMARC alignment checked here, or the
Authentication-Results of a host we trust (decision 0168).

``check(raw, from_domain)`` answers a ``Verdict``:

1. Each DKIM-Signature is verified with dkimpy, keys looked up through ``mail.dns``. A passing
   signature whose ``d=`` is aligned with the From domain (the same organisational domain, or
   the same domain when the DMARC record says ``adkim=s``) is a **pass**. A signature with
   ``l=`` (a body length) is not counted: whatever follows the signed length — a list footer, or
   an attacker's text — is nobody's word.
2. Otherwise the topmost ``Authentication-Results`` header whose authserv-id is named in
   ``MAIL_AUTHSERV_IDS`` (our own MTA or mail provider, which strips forged copies of its own
   header) decides: ``dmarc=pass``, or an aligned ``dkim=pass`` / ``spf=pass``, is a pass;
   ``dmarc=fail``, or every aligned result failing, is a **fail**. Headers with any other
   authserv-id are the sender's to write and are ignored.
3. Otherwise: an aligned signature that failed (a replayed mail with a changed Subject or From,
   a relayed one whose body was changed), or a domain that publishes DMARC while nothing aligned
   passed, is a **fail**; a DNS lookup that could not be answered is a **temperror**; else
   **none** — nothing says who sent it.

``verified(verdict)`` applies ``MAIL_SENDER_AUTH``: ``require`` (the default) posts as a contact
only on a pass; ``dmarc`` refuses only a fail (and a temperror); ``off`` trusts the From header.
"""

from __future__ import annotations

import email.parser
import email.policy
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

import authres
import authres.dmarc
import dkim
from django.conf import settings
from publicsuffixlist import PublicSuffixList

from helpline.mail import dns
from helpline.mail.dns import DnsTrouble, Resolver

log = logging.getLogger(__name__)

PASS, FAIL, NONE, TEMPERROR = "pass", "fail", "none", "temperror"
_AUTHRES = authres.FeatureContext(authres.dmarc)  # RFC 8601 and the dmarc method
MODES = ("require", "dmarc", "off")


@dataclass(frozen=True)
class Verdict:
    result: str  # pass, fail, none, temperror
    detail: str  # for staff: which signature or header said so

    def __str__(self) -> str:
        return f"{self.result}: {self.detail}"


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()  # the list the package ships: no download


def organisational(domain: str) -> str:
    """The registered domain (RFC 7489 §3.2): mail.acme.co.in → acme.co.in."""
    domain = domain.lower().rstrip(".")
    return _psl().privatesuffix(domain) or domain


def aligned(domain: str, from_domain: str, *, strict: bool) -> bool:
    domain, from_domain = domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    if strict:
        return domain == from_domain
    return bool(domain) and organisational(domain) == organisational(from_domain)


@dataclass(frozen=True)
class Dmarc:
    published: bool
    strict_dkim: bool = False
    strict_spf: bool = False


def _tags(record: bytes) -> dict[str, str]:
    tags = {}
    for part in record.decode("ascii", "replace").split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags[name.strip().lower()] = value.strip()
    return tags


def dmarc_record(from_domain: str, resolver: Resolver) -> Dmarc:
    """The DMARC policy for ``from_domain``: its own record, else its organisational domain's."""
    names = [from_domain]
    org = organisational(from_domain)
    if org != from_domain:
        names.append(org)
    for name in names:
        records = [r for r in resolver.txt(f"_dmarc.{name}") if r.lower().startswith(b"v=dmarc1")]
        if len(records) == 1:
            tags = _tags(records[0])
            return Dmarc(
                True,
                strict_dkim=tags.get("adkim", "r").lower() == "s",
                strict_spf=tags.get("aspf", "r").lower() == "s",
            )
    return Dmarc(False)


# ---------------------------------------------------------------- DKIM, verified here


@dataclass(frozen=True)
class Signature:
    domain: str
    ok: bool
    why: str
    partial: bool = False  # l=: not counted either way


def _signature_tags(raw: bytes) -> list[dict[bytes, bytes] | None]:
    """Each DKIM-Signature's tags, in the order dkimpy numbers them (None: unparseable)."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    found: list[dict[bytes, bytes] | None] = []
    for value in headers.get_all("DKIM-Signature") or []:
        try:
            text = str(value).encode("ascii", "replace")
            found.append(dkim.util.parse_tag_value(b"".join(text.split())))
        except Exception:
            found.append(None)
    return found


def dkim_signatures(raw: bytes, resolver: Resolver) -> list[Signature]:
    """Every DKIM signature of the message, verified (``DnsTrouble`` when a key lookup failed)."""

    def lookup(name: bytes | str, timeout: Any = None) -> bytes:
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        records = resolver.txt(text.rstrip("."))
        return records[0] if records else b""

    found = []
    for idx, tags in enumerate(_signature_tags(raw)):
        if tags is None:
            found.append(Signature("", False, "a DKIM-Signature that cannot be read"))
            continue
        domain = tags.get(b"d", b"").decode("ascii", "replace").lower()
        if b"l" in tags:
            why = f"d={domain} signs only part of the body (l=)"
            found.append(Signature(domain, False, why, partial=True))
            continue
        try:
            ok = bool(dkim.DKIM(raw, logger=log).verify(idx=idx, dnsfunc=lookup))
            why = f"d={domain} verifies" if ok else f"d={domain} does not verify"
        except DnsTrouble:
            raise
        except Exception as exc:  # dkimpy's own errors: a broken signature is a failed one
            said = str(exc).split(" (", 1)[0][:100] or type(exc).__name__
            ok, why = False, f"d={domain} does not verify ({said})"
        found.append(Signature(domain, ok, why))
    return found


# ---------------------------------------------------------------- Authentication-Results


def _trusted_results(raw: bytes) -> tuple[str, list[Any]] | None:
    """The topmost Authentication-Results header written by a host we trust, parsed."""
    trusted = {a.lower() for a in settings.MAIL_AUTHSERV_IDS}
    if not trusted:
        return None
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    for value in headers.get_all("Authentication-Results") or []:
        text = " ".join(str(value).split())
        try:
            parsed = _AUTHRES.parse_value(text)
        except Exception as exc:  # a sender's malformed header (ours parse): not a verdict
            log.debug("unreadable Authentication-Results %r: %s", text[:200], exc)
            continue
        if str(parsed.authserv_id).lower() in trusted:
            return str(parsed.authserv_id), list(parsed.results)
    return None


def _domain_of(result: Any, *names: str) -> str:
    """The domain a result is about: header.d=acme.test, header.i=@acme.test, smtp.mailfrom=…."""
    for prop in getattr(result, "properties", []) or []:
        if f"{prop.type}.{prop.name}".lower() in names:
            return str(prop.value or "").lower().rsplit("@", 1)[-1]
    return ""


def _from_results(
    host: str, results: list[Any], from_domain: str, policy: Dmarc | None
) -> Verdict | None:
    by_method: dict[str, list[Any]] = {}
    for r in results:
        by_method.setdefault(str(r.method).lower(), []).append(r)
    for r in by_method.get("dmarc", []):
        what = str(r.result).lower()
        if what in (PASS, FAIL):
            return Verdict(what, f"{host} says dmarc={what}")
    outcomes = []
    for method, props in (("dkim", ("header.d", "header.i")), ("spf", ("smtp.mailfrom",))):
        for r in by_method.get(method, []):
            domain = _domain_of(r, *props)
            strict = policy is not None and (
                policy.strict_dkim if method == "dkim" else policy.strict_spf
            )
            if domain and aligned(domain, from_domain, strict=strict):
                outcomes.append((method, str(r.result).lower(), domain))
    for method, what, domain in outcomes:
        if what == PASS:
            return Verdict(PASS, f"{host} says {method}=pass for {domain} (aligned)")
    if outcomes and all(what in (FAIL, "softfail", "permerror") for _m, what, _d in outcomes):
        said = ", ".join(f"{m}={w}" for m, w, _d in outcomes)
        return Verdict(FAIL, f"{host} says {said}")
    return None


# ---------------------------------------------------------------- the verdict


def check(raw: bytes, from_domain: str, *, resolver: Resolver | None = None) -> Verdict:
    """Whether ``raw`` proves it comes from ``from_domain``. Never raises for the message."""
    from_domain = from_domain.lower().rstrip(".")
    if not from_domain:
        return Verdict(NONE, "no From domain")
    resolver = resolver or dns.resolver()
    trouble = ""
    signatures: list[Signature] = []
    policy: Dmarc | None = None
    try:
        signatures = dkim_signatures(raw, resolver)
        if signatures:
            policy = dmarc_record(from_domain, resolver)
            for sig in signatures:
                if sig.ok and aligned(sig.domain, from_domain, strict=policy.strict_dkim):
                    return Verdict(PASS, f"DKIM signature {sig.why} (aligned with {from_domain})")
    except DnsTrouble as exc:
        trouble = f"DNS lookup failed: {exc}"
    trusted = _trusted_results(raw)
    if trusted is not None:
        said = _from_results(*trusted, from_domain, policy)
        if said is not None:
            return said
    if trouble:
        return Verdict(TEMPERROR, trouble)
    broken = [
        s
        for s in signatures
        if not s.ok and not s.partial and aligned(s.domain, from_domain, strict=False)
    ]
    if broken:
        return Verdict(FAIL, "DKIM signature " + "; ".join(s.why for s in broken))
    try:
        if policy is None:
            policy = dmarc_record(from_domain, resolver)
    except DnsTrouble as exc:
        return Verdict(TEMPERROR, f"DNS lookup failed: {exc}")
    others = "; ".join(s.why for s in signatures)
    if policy.published:
        return Verdict(
            FAIL,
            f"{from_domain} publishes DMARC and no aligned signature passes"
            + (f" ({others})" if others else " (the mail is not signed)"),
        )
    return Verdict(NONE, others or "not signed, and no trusted Authentication-Results")


def verified(verdict: Verdict, mode: str | None = None) -> bool:
    """Whether the sender counts as proven under ``MAIL_SENDER_AUTH``."""
    mode = mode or settings.MAIL_SENDER_AUTH
    if mode == "off":
        return True
    if mode == "dmarc":
        return verdict.result not in (FAIL, TEMPERROR)
    return verdict.result == PASS
