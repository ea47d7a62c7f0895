"""The payloads the email channel sends (``{"subject", "body", "message_id", …}``, see the
channel's docstring), built from plain values: whoever decides who is told what (the
notifications app) calls these, and the words and templates of a mail live here, beside the
transport. The templates are this folder's ``templates/``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine

SIGNATURE = "— Helpline (this message was sent automatically)"
_engine = Engine(dirs=[str(Path(__file__).with_name("templates"))])


def render(name: str, context: dict[str, Any]) -> str:
    return _engine.get_template(name).render(Context(context))


def _domain() -> str:
    return parseaddr(settings.SUPPORT_ADDRESS)[1].rsplit("@", 1)[-1]


def event_message_id(ticket_id: int, event_id: int) -> str:
    """The Message-ID of a notification about a ticket event that nobody replies to (staff,
    account managers): unrecorded, so a reply to it is not trusted to thread."""
    return f"<hl.{ticket_id}.{event_id}.{secrets.token_hex(8)}@{_domain()}>"


def plain(*, subject: str, body: str) -> dict[str, Any]:
    """A mail of a subject and a body that belongs to no ticket thread (a password reset, a
    call request, an invitation, …)."""
    return {"subject": subject, "body": body, "message_id": make_msgid(domain="helpline")}


def ticket_update(
    *,
    reference: str,
    subject: str,
    summary: str,
    reason: str,
    body: str | None,
    extra: Sequence[str] = (),
    message_id: str,
) -> dict[str, Any]:
    """A notification about a ticket: what happened (``summary``), why, the message if any,
    and ``extra`` lines (e.g. the links that decide a quote)."""
    lines = [f"{reference}: {subject}", "", summary[:1].upper() + summary[1:] + "."]
    if reason:
        lines += ["", f"Reason: {reason}"]
    if body is not None:
        lines += ["", body]
    lines += [*extra, "", SIGNATURE]
    return {
        "subject": f"[{reference}] {summary} — {subject}"[:250],
        "body": "\n".join(lines),
        "message_id": message_id,
    }


def threaded(payload: dict[str, Any], *, message_id: str, root: str) -> dict[str, Any]:
    """``payload`` as a mail on the thread the ticket's opening mail (``root``, may be "")
    started: our recorded ``message_id`` and In-Reply-To/References to it."""
    return {
        **payload,
        "message_id": f"<{message_id}>",
        "in_reply_to": f"<{root}>" if root else "",
        "references": f"<{root}>" if root else "",
    }


def staff_reply(
    payload: dict[str, Any],
    *,
    reference: str,
    subject: str,
    body: str,
    author: str,
    priority: str,
    status: str,
) -> dict[str, Any]:
    """A staff member's reply as a mail from a person (no Auto-Submitted), on its thread."""
    context = {
        "body": body,
        "author": author,
        "reference": reference,
        "priority": priority,
        "status": status,
    }
    return {
        **payload,
        "subject": f"Re: [{reference}] {subject}"[:250],
        "body": render("reply.txt", context),
        "html": render("reply.html", context),
        "auto_submitted": "",
    }


def acknowledgement(
    *,
    reference: str,
    subject: str,
    priority: str,
    due: str,
    closed_now: bool,
    refused: Sequence[str],
    message_id: str,
    in_reply_to: str | None,
    references: str,
    incident: str = "",
    status_url: str = "",
) -> dict[str, Any]:
    """The answer to a mail that opened a ticket: its reference, priority, when the first answer
    is due (``due``, as the merchant reads it) and what attachments were refused; the platform
    incident it joined (``incident``: its title) and where to follow it (``status_url``)."""
    context = {
        "reference": reference,
        "priority": priority,
        "due": due,
        "closed_now": closed_now,
        "refused": list(refused),
        "incident": incident,
        "status_url": status_url,
    }
    return {
        "subject": f"[{reference}] Received: {subject}"[:250],
        "body": render("ack.txt", context),
        "html": render("ack.html", context),
        "message_id": f"<{message_id}>",
        "in_reply_to": f"<{in_reply_to}>" if in_reply_to else "",
        "references": references,
        "auto_submitted": "auto-replied",
    }
