"""Is this mail from a machine? Bounces, complaints, receipts, auto-replies and list mail.

Never answer any of them (RFC 3834 §2, and so that two robots cannot loop). The first rule that
matches gives the reason; the strongest evidence (a report's MIME type) is tried first, subject
lines last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from helpline.mail.subject import strip_reply_prefixes

__all__ = ["AUTO_REASONS", "detect_auto"]

AUTO_REASONS = (
    "auto-submitted",
    "autoreply",
    "bounce",
    "complaint",
    "receipt",
    "list",
    "bulk",
    "precedence",
)

_DAEMON_LOCAL_PARTS = frozenset(
    {
        "mailer-daemon",
        "mailer_daemon",
        "maildaemon",
        "postmaster",
        "mail-daemon",
        "mdaemon",
        "mail.daemon",
        "post_master",
    }
)

# Subjects as a last resort, when a robot sets none of the headers above.
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:"
    r"undeliver(?:able|ed)\b|undelivered mail|delivery (?:status notification|failure|has failed)"
    r"|mail delivery (?:failed|failure|system|subsystem)|returned mail\b|failure notice"
    r"|delivery notification|non[- ]?delivery|message not delivered|could not send message"
    r"|unzustellbar|nicht zustellbar|non remis|non distribuable|mensaje no entregado"
    r"|warning: could not send|mail system error|delivery report|undelivered message"
    r"|メールエラー|配信エラー|不達"
    r")",
    re.IGNORECASE,
)
_AUTOREPLY_SUBJECT = re.compile(
    r"^\s*(?:"
    r"out of (?:the )?office|auto(?:matic)?[- ]?(?:reply|response|antwort)\b|auto:|autoreply"
    r"|abwesenheit|automatische antwort|r[ée]ponse automatique|respuesta autom[aá]tica"
    r"|fuera de la oficina|automatisch antwoord|afwezig|risposta automatica|fuori ufficio"
    r"|resposta autom[aá]tica|on vacation|vacation reply|away from (?:the|my) office"
    r"|i am out of|i'm out of|i will be out|currently out of"
    r")",
    re.IGNORECASE,
)
_RECEIPT_SUBJECT = re.compile(
    r"^\s*(?:read(?: receipt)?:|read report|return receipt|gelesen:|lu\s?:|le[ií]do:|"
    r"not read:|delivered:|zugestellt:)",
    re.IGNORECASE,
)
_COMPLAINT_SUBJECT = re.compile(r"^\s*(?:complaint about message from|abuse report)", re.I)
_LIST_HEADERS = (
    "list-id",
    "list-unsubscribe",
    "list-subscribe",
    "list-post",
    "list-help",
    "list-owner",
    "mailing-list",
    "x-mlserver",
    "x-ml-name",
    "x-mailing-list",
)
# Machine notifications that carry no RFC 3834 header (Amazon SNS: SES bounce/delivery feeds).
_NOTIFICATION_HEADERS = ("x-amz-sns-message-id", "x-amz-sns-message-type")
_SUPPRESS_AUTO = re.compile(r"\b(?:all|oof|autoreply)\b", re.IGNORECASE)


def _first(headers: Mapping[str, list[str]], name: str) -> str:
    found = headers.get(name)
    return found[0].strip() if found else ""


def detect_auto(
    headers: Mapping[str, list[str]],
    *,
    from_address: str,
    subject: str,
    content_types: Iterable[str] = (),
    report_types: Iterable[str] = (),
) -> str | None:
    """None for a human message, else one of AUTO_REASONS.

    `headers`: raw top-level header values by lower-case name. `content_types`/`report_types`:
    every MIME type seen in the message and the report-type of each multipart/report.
    """
    reports = {r.strip().lower() for r in report_types}
    types = set(content_types)
    if "delivery-status" in reports or "message/delivery-status" in types:
        return "bounce"
    if "message/global-delivery-status" in types:
        return "bounce"
    if "feedback-report" in reports or "message/feedback-report" in types:
        return "complaint"
    if "disposition-notification" in reports or "message/disposition-notification" in types:
        return "receipt"
    if headers.get("x-failed-recipients") or _first(headers, "x-ms-exchange-message-is-ndr"):
        return "bounce"
    local = from_address.partition("@")[0]
    if local in _DAEMON_LOCAL_PARTS:
        return "bounce"
    if _first(headers, "return-path").replace(" ", "") == "<>":  # the null sender of DSNs
        return "bounce"
    if _COMPLAINT_SUBJECT.search(subject):
        return "complaint"
    auto_submitted = _first(headers, "auto-submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "auto-submitted"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-mail-autoreply"):
        value = _first(headers, name).lower()
        if value and value not in ("no", "false", "0"):
            return "autoreply"
    if _SUPPRESS_AUTO.search(_first(headers, "x-auto-response-suppress")):
        return "autoreply"
    precedence = (_first(headers, "precedence") or _first(headers, "x-precedence")).lower()
    if precedence in ("bulk", "list", "junk", "auto_reply", "auto-reply"):
        return {"bulk": "bulk", "list": "list"}.get(precedence, "precedence")
    if any(headers.get(name) for name in _LIST_HEADERS):
        return "list"
    if any(headers.get(name) for name in _NOTIFICATION_HEADERS):
        return "auto-submitted"
    if _BOUNCE_SUBJECT.search(subject):
        return "bounce"
    if _RECEIPT_SUBJECT.search(subject):
        return "receipt"
    if _AUTOREPLY_SUBJECT.search(strip_reply_prefixes(subject)):
        return "autoreply"
    return None
