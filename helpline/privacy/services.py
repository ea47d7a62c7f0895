"""Personal data on request: ``personal_data_export`` (one zip: JSON and the files),
``personal_data_erase`` (a pseudonym everywhere), ``retention_apply`` (the worker, daily).
Each is audited; ticket changes write ticket events (``tickets.personal_data``)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from helpline.account_management import personal_data as am_data
from helpline.accounts import personal_data as account_data
from helpline.accounts.models import User
from helpline.audit import chain as audit
from helpline.core import clock
from helpline.core.errors import InvalidInput, NotFound
from helpline.mail import personal_data as mail_data
from helpline.mail import services as mail_services
from helpline.merchants import personal_data as merchant_data
from helpline.subscriptions import personal_data as subscription_data
from helpline.tickets import personal_data as ticket_data

FORMAT = "helpline-personal-data/1"
RAW_MAIL_BATCH = 1000  # raw mail cleared per transaction by ``retention_apply``


@dataclass(frozen=True)
class Subject:
    """Whom a request is about: an account, or an address with no account (a contact)."""

    email: str
    user: User | None


def subject(person: str) -> Subject:
    """``person``: an account's id or e-mail, or a contact's address. Unknown: ``NotFound``."""
    user = account_data.find(person)
    if user is not None:
        return Subject(email=user.email, user=user)
    email = person.strip().lower()
    known = (merchant_data.known, mail_data.known, subscription_data.known)
    if "@" in email and any(is_known(email) for is_known in known):
        return Subject(email=email, user=None)
    raise NotFound(f"nobody is known as {person!r}", code="person_not_found")


def _json(value: Any) -> bytes:
    return json.dumps(audit.jsonable(value), indent=2, ensure_ascii=False).encode()


def collect(who: Subject) -> dict[str, Any]:
    uid = who.user.pk if who.user else None
    return {
        "format": FORMAT,
        "profile": account_data.profile(who.user) if who.user else None,
        "contacts": merchant_data.contacts(who.email),
        "tickets": ticket_data.export(user_id=uid),
        "mail_received": mail_data.received(who.email),
        "contact_log": am_data.contact_log(who.email, uid),
        "status_subscriptions": subscription_data.export(who.email, uid),
        "audit_entries": audit.entries_about(uid) if uid is not None else [],
    }


def personal_data_export(
    *, person: str, dest: Path, actor: Any = None, now: datetime | None = None
) -> Path:
    """Write everything about ``person`` to the zip ``dest`` (a directory: a file named after
    them in it): ``data.json``, ``attachments/<id>-<name>`` and ``mail/<id>.eml``. Audited."""
    now = now or clock.now()
    who = subject(person)
    data = collect(who)
    if dest.is_dir():
        dest = dest / f"personal-data-{(who.user.pk if who.user else who.email)}.zip"
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", _json(data))
        for a in data["tickets"]["attachments"]:
            if a["path"] and default_storage.exists(a["path"]):
                with default_storage.open(a["path"], "rb") as f:
                    archive.writestr(f"attachments/{a['id']}-{Path(a['filename']).name}", f.read())
        for m in data["mail_received"]:
            raw = mail_data.raw(m["id"]) if m["raw_kept"] else None
            if raw is not None:
                archive.writestr(f"mail/{m['id']}.eml", raw)
    audit.record(
        action="personal_data_export",
        object_type="accounts.User" if who.user else "address",
        object_id=who.user.pk if who.user else "",
        after={"tickets": len(data["tickets"]["tickets"]), "file": dest.name},
        subject_id=who.user.pk if who.user else None,
        actor=actor,
        now=now,
    )
    return dest


def pseudonym_for(who: Subject) -> str:
    """Stable for one person, meaningless to anyone else (the deployment's secret in it)."""
    key = f"{settings.SECRET_KEY}:{who.user.pk if who.user else who.email}".encode()
    return "erased-" + hashlib.sha256(key).hexdigest()[:10]


def personal_data_erase(
    *, person: str, actor: Any = None, now: datetime | None = None
) -> dict[str, int | str]:
    """Replace the person by a pseudonym everywhere (decision 0183); what changed, counted."""
    now = now or clock.now()
    who = subject(person)
    if who.user is not None and who.user.is_superuser:
        raise InvalidInput("a superuser cannot be erased; demote them first", code="superuser")
    name = pseudonym_for(who)
    words = [who.email, *merchant_data.contact_names(who.email)]
    if who.user is not None:
        words += account_data.identifiers(who.user)
    scrub = ticket_data.scrubber(words, name)
    uid = who.user.pk if who.user else None
    counts: dict[str, int | str] = {"pseudonym": name}
    counts["tickets"] = (
        ticket_data.erase(user_id=uid, scrub=scrub, pseudonym=name, actor=actor, now=now)
        if uid is not None
        else 0
    )
    with transaction.atomic():
        counts["mail"] = mail_data.erase(email=who.email, pseudonym=name, scrub=scrub)
        counts["contact_log"] = am_data.erase(
            email=who.email, user_id=uid, pseudonym=name, scrub=scrub
        )
        counts["contacts"] = merchant_data.erase(email=who.email, pseudonym=name)
        counts["status_subscriptions"] = subscription_data.erase(who.email, uid)
        if who.user is not None:
            account_data.erase(user=who.user, pseudonym=name, now=now)
        audit.record(
            action="personal_data_erase",
            object_type="accounts.User" if uid is not None else "address",
            object_id=uid or "",
            after=counts,
            subject_id=uid,
            actor=actor,
            now=now,
        )
    return counts


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """The retention settings, applied (the worker, daily): closed tickets' content after
    ``RETENTION_CLOSED_TICKET_DAYS`` (0: kept), raw mail after ``MAIL_RAW_RETENTION_DAYS``.
    Each run that removed something is audited."""
    now = now or clock.now()
    done = {"tickets": 0, "raw_mail": 0}
    days = settings.RETENTION_CLOSED_TICKET_DAYS
    if days:
        done["tickets"] = ticket_data.retention_purge(
            closed_before=now - timedelta(days=days), now=now
        )
    while True:  # every raw mail that is due, a batch at a time
        purged = mail_services.mail_purge_raw(now=now, limit=RAW_MAIL_BATCH)
        done["raw_mail"] += purged
        if purged < RAW_MAIL_BATCH:
            break
    if any(done.values()):
        audit.record(action="retention_purge", object_type="retention", after=done, now=now)
    return done
