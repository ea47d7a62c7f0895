"""A broken audit chain, told to every admin (through the outbox, once a day per break)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from helpline.accounts import selectors as accounts_selectors
from helpline.audit.chain import Verdict
from helpline.core.zones import zone_or_default
from helpline.outbox import services as outbox


def audit_chain_broken(*, verdict: Verdict, now: datetime) -> int:
    """Mail each admin that ``helpline audit verify`` found the chain broken; how many mails.
    The idempotency key is the day and the entry, so a worker restarted that day mails once."""
    if verdict.ok:
        return 0
    day = now.astimezone(zone_or_default(settings.TIME_ZONE_DISPLAY)).date()
    sent = 0
    for admin in accounts_selectors.admins():
        outbox.email_enqueue(
            recipient=admin.email,
            subject=f"Audit trail broken at entry #{verdict.broken_seq}",
            body="\n".join(
                [
                    "The nightly check of the audit trail found it broken:",
                    "",
                    str(verdict),
                    "",
                    "Entries were changed or deleted outside Helpline (the database itself).",
                    "Run `helpline audit verify` to see it again; the entries from this one on",
                    f"are in the admin: {settings.BASE_URL}/admin/audit/auditentry/",
                ]
            ),
            kind="audit_broken",
            idempotency_key=f"audit-broken:{day.isoformat()}:{verdict.broken_seq}:{admin.pk}",
            now=now,
        )
        sent += 1
    return sent
