"""Every kind of ``TicketEvent``, and one constructor per kind: the only place a kind is spelled.

A service builds the events of a change with these constructors (each returns an ``EventSpec``,
what the change writes when it is saved); readers compare ``TicketEvent.kind`` with
``EventKind`` members. ``at`` is left to the change (its ``now``) unless the event happened at
another instant (a warning or breach recorded late, at its true instant).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models


class EventKind(models.TextChoices):
    CREATED = "created"
    STATUS = "status"
    PRIORITY = "priority"
    ISSUE_TYPE = "issue_type"
    ASSIGNEE = "assignee"
    TEAM = "team"
    DUE_DATE = "due_date"
    DUE_PASSED = "due_passed"
    MESSAGE = "message"
    NOTE = "note"
    QUOTE = "quote"
    QUOTE_APPROVED = "quote_approved"
    QUOTE_DECLINED = "quote_declined"
    QUOTE_EXPIRED = "quote_expired"
    WORKAROUND = "workaround"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    WITHDRAWN = "withdrawn"
    RATING = "rating"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    SLA_MET = "sla_met"
    SLA_RESUMED = "sla_resumed"
    SLA_RESTARTED = "sla_restarted"
    SLA_RECOMPUTED = "sla_recomputed"
    ESCALATED = "escalated"
    ENGINEERING_DONE = "engineering_done"
    ENGINEERING_REOPENED = "engineering_reopened"
    ENGINEERING_ETA = "engineering_eta"
    INCIDENT_LINKED = "incident_linked"
    INCIDENT_CHILD_ADDED = "incident_child_added"
    INCIDENT_UNLINKED = "incident_unlinked"
    # Linked to a platform incident (monitoring's; not a master ticket): the merchant is told.
    PLATFORM_INCIDENT = "platform_incident"
    # The root-cause report of the ticket's incident or outage was published (decision 0229).
    ROOT_CAUSE = "root_cause"
    MERGED = "merged"
    MERGED_INTO = "merged_into"
    FOLLOW_UP_OF = "follow_up_of"
    UNVERIFIED_SENDER = "unverified_sender"
    MERCHANT_ASKS_PRIORITY = "merchant_asks_priority"
    MONITOR = "monitor"
    # Automatic assignment found nobody: the ticket waits in its team's queue (the reason says
    # who was missing; ``after["notify"]``: the lead — or the admins — are told, once a ticket).
    UNROUTED = "unrouted"
    # Personal data (issue 21, decision 0183): a person's identifiers replaced by a pseudonym
    # on request; a closed ticket's content removed after the retention period.
    PERSONAL_DATA_ERASED = "personal_data_erased"
    RETENTION_PURGED = "retention_purged"


# The clocks' own bookkeeping: written with no actor (the system noticed, nobody did it).
SLA_KINDS = frozenset(k for k in EventKind if k.value.startswith("sla_"))
SYSTEM_KINDS = SLA_KINDS | {EventKind.DUE_PASSED}


@dataclass
class EventSpec:
    kind: EventKind
    before: Any = None
    after: Any = None
    reason: str = ""
    public: bool = False
    at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # The message a "message"/"note" event names, when the service has it in hand: the notify
    # rules use it instead of reading it back (decision 0070).
    message: Any = None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---------------------------------------------------------------- the ticket's fields


def created(
    *,
    status: str,
    priority: str,
    issue_type: str,
    channel: str,
    first_response_due: datetime | None,
    resolution_due: datetime | None,
    policy_version: int,
    unverified_sender: bool,
    on_behalf_of: int | None,
    at: datetime,
) -> EventSpec:
    after: dict[str, Any] = {
        "status": status,
        "priority": priority,
        "issue_type": issue_type,
        "channel": channel,
        "first_response_due": _iso(first_response_due),
        "resolution_due": _iso(resolution_due),
        "policy_version": policy_version,
    }
    if unverified_sender:
        after["unverified_sender"] = True
    if on_behalf_of:
        after["on_behalf_of"] = on_behalf_of
    return EventSpec(EventKind.CREATED, after=after, public=True, at=at)


def status(*, before: str, after: str, reason: str = "") -> EventSpec:
    return EventSpec(EventKind.STATUS, before=before, after=after, reason=reason, public=True)


def priority(*, before: str, after: str, reason: str) -> EventSpec:
    return EventSpec(EventKind.PRIORITY, before=before, after=after, reason=reason, public=True)


def issue_type(*, before: str, after: str, reason: str) -> EventSpec:
    return EventSpec(EventKind.ISSUE_TYPE, before=before, after=after, reason=reason, public=True)


def assignee(*, before: int | None, after: int | None, reason: str = "") -> EventSpec:
    return EventSpec(EventKind.ASSIGNEE, before=before, after=after, reason=reason)


def unrouted(*, team: int | None, reason: str, notify: bool) -> EventSpec:
    return EventSpec(EventKind.UNROUTED, after={"team": team, "notify": notify}, reason=reason)


def team(*, before: int | None, after: int | None) -> EventSpec:
    return EventSpec(EventKind.TEAM, before=before, after=after)


def due_date(*, before: datetime | None, after: datetime | None, reason: str) -> EventSpec:
    """The due date moved (``after`` None: withdrawn until a new one is set, after a reopen)."""
    return EventSpec(
        EventKind.DUE_DATE, before=_iso(before), after=_iso(after), reason=reason, public=True
    )


def due_passed(*, due_at: datetime) -> EventSpec:
    """The due date passed with the ticket open (internal: the assignee and the team lead are
    told), recorded at that instant however late the sweep saw it."""
    return EventSpec(EventKind.DUE_PASSED, after={"due_at": _iso(due_at)}, at=due_at)


# ---------------------------------------------------------------- messages


def _message_after(message: Any) -> dict[str, Any]:
    return {
        "message_id": message.pk,
        "kind": message.kind,
        "question": message.question,
        "from_staff": message.from_staff,
    }


def message(message: Any) -> EventSpec:
    """A public message (reply, question, workaround, resolution, system note)."""
    return EventSpec(EventKind.MESSAGE, after=_message_after(message), public=True, message=message)


def note(message: Any) -> EventSpec:
    """An internal note (staff only)."""
    return EventSpec(EventKind.NOTE, after=_message_after(message), message=message)


def monitor(*, message_id: int, public: bool) -> EventSpec:
    """The store monitor's system note."""
    return EventSpec(EventKind.MONITOR, after={"message_id": message_id}, public=public)


# ---------------------------------------------------------------- quotes


def quote(*, quote: Any) -> EventSpec:
    return EventSpec(
        EventKind.QUOTE,
        after={
            "quote_id": quote.pk,
            "amount_inr": str(quote.amount_inr),
            "gst_percent": str(quote.gst_percent),
            "valid_until": _iso(quote.valid_until),
            "due_at": _iso(quote.due_at),
            "description": quote.description,
        },
        public=True,
    )


def _decided(kind: EventKind, quote: Any, reason: str) -> EventSpec:
    after = {"quote_id": quote.pk, "via": quote.decided_via}
    return EventSpec(kind, after=after, reason=reason, public=True)


def quote_approved(*, quote: Any, reason: str = "") -> EventSpec:
    return _decided(EventKind.QUOTE_APPROVED, quote, reason)


def quote_declined(*, quote: Any, reason: str) -> EventSpec:
    return _decided(EventKind.QUOTE_DECLINED, quote, reason)


def quote_expired(*, quote: Any, reason: str) -> EventSpec:
    return _decided(EventKind.QUOTE_EXPIRED, quote, reason)


# ---------------------------------------------------------------- lifecycle


def workaround(*, reason: str) -> EventSpec:
    return EventSpec(EventKind.WORKAROUND, reason=reason, public=True)


def resolved(*, reason: str) -> EventSpec:
    return EventSpec(EventKind.RESOLVED, reason=reason, public=True)


def reopened(*, reason: str) -> EventSpec:
    return EventSpec(EventKind.REOPENED, reason=reason, public=True)


def withdrawn(*, reason: str) -> EventSpec:
    return EventSpec(EventKind.WITHDRAWN, reason=reason, public=True)


def personal_data_erased(*, pseudonym: str, messages: int, attachments: int) -> EventSpec:
    return EventSpec(
        EventKind.PERSONAL_DATA_ERASED,
        after={"pseudonym": pseudonym, "messages": messages, "attachments": attachments},
        reason="personal data erased on request",
    )


def retention_purged(*, closed_at: datetime, messages: int, attachments: int) -> EventSpec:
    return EventSpec(
        EventKind.RETENTION_PURGED,
        after={"closed_at": _iso(closed_at), "messages": messages, "attachments": attachments},
        reason="closed ticket's content removed after the retention period",
    )


def rating(*, rating: int | None, comment: str) -> EventSpec:
    return EventSpec(EventKind.RATING, after={"rating": rating, "comment": comment}, public=True)


# ---------------------------------------------------------------- SLA clocks


def sla_warning(
    *, target: str, priority: str, percent: int, deadline: datetime | None, at: datetime
) -> EventSpec:
    """A step of the escalation chain: ``percent`` of the target's length has passed. (The
    chain's first step — 50 % by default — is the hook for reassigning an absent assignee: a
    listener of ``tickets.listeners`` reads ``after["percent"]``.)"""
    after = {
        "target": target,
        "priority": priority,
        "percent": percent,
        "deadline": _iso(deadline),
        "at": _iso(at),
    }
    return EventSpec(EventKind.SLA_WARNING, after=after, at=at)


def sla_breached(*, target: str, priority: str, at: datetime) -> EventSpec:
    after = {"target": target, "priority": priority, "at": _iso(at)}
    return EventSpec(EventKind.SLA_BREACHED, after=after, at=at)


def sla_met(
    *,
    target: str,
    priority: str,
    business_seconds: int,
    wall_seconds: int,
    late: bool,
    at: datetime,
) -> EventSpec:
    after = {
        "target": target,
        "priority": priority,
        "business_seconds": business_seconds,
        "wall_seconds": wall_seconds,
        "late": late,
    }
    return EventSpec(EventKind.SLA_MET, after=after, at=at)


def sla_resumed(
    *, target: str, met_at: datetime | None, deadline: datetime | None, at: datetime
) -> EventSpec:
    return EventSpec(
        EventKind.SLA_RESUMED,
        before={"met_at": _iso(met_at)},
        after={"target": target, "deadline": _iso(deadline)},
        at=at,
    )


def sla_restarted(
    *,
    target: str,
    priority: str,
    deadline: datetime | None,
    before: datetime | None = None,
    rule: str = "restarted",
    reason: str = "",
) -> EventSpec:
    """A target laid out again: the C1 workaround's C2 resolution (``restarted``), or
    re-prioritising (``raised``, ``lowered``, ``restarted`` after a breach; ``before`` the old
    deadline, ``reason`` the change's). A paused target has no deadline (None)."""
    after = {"target": target, "priority": priority, "deadline": _iso(deadline), "rule": rule}
    return EventSpec(
        EventKind.SLA_RESTARTED, before={"deadline": _iso(before)}, after=after, reason=reason
    )


def sla_recomputed(
    *, target: str, before: datetime | None, deadline: datetime | None, reason: str, at: datetime
) -> EventSpec:
    return EventSpec(
        EventKind.SLA_RECOMPUTED,
        before=_iso(before),
        after={"target": target, "deadline": _iso(deadline)},
        reason=reason,
        at=at,
    )


# ---------------------------------------------------------------- engineering


def escalated(*, references: Sequence[str]) -> EventSpec:
    return EventSpec(EventKind.ESCALATED, after={"dev_tickets": list(references)})


def engineering_done(*, references: Sequence[str]) -> EventSpec:
    return EventSpec(EventKind.ENGINEERING_DONE, after={"dev_tickets": list(references)})


def engineering_reopened(*, references: Sequence[str]) -> EventSpec:
    return EventSpec(EventKind.ENGINEERING_REOPENED, after={"dev_tickets": list(references)})


def engineering_eta(*, reference: str, eta: datetime) -> EventSpec:
    return EventSpec(EventKind.ENGINEERING_ETA, after={"dev_ticket": reference, "eta": _iso(eta)})


# ---------------------------------------------------------------- incidents and merges


def incident_linked(*, before: int | None, master: int) -> EventSpec:
    return EventSpec(
        EventKind.INCIDENT_LINKED,
        before={"master": before},
        after={"master": master},
        reason="joined a platform incident; updates will follow here",
        public=True,
    )


def platform_incident(*, incident: int, title: str, at_opening: bool) -> EventSpec:
    """Linked to the platform incident ``incident`` (``at_opening``: as the ticket was opened,
    so the acknowledgement of a mail ticket names it and no second mail is needed)."""
    return EventSpec(
        EventKind.PLATFORM_INCIDENT,
        after={"incident": incident, "title": title, "at_opening": at_opening},
        reason="part of a platform incident; its resolution will be posted here",
        public=True,
    )


def root_cause(*, report: int, title: str, url: str) -> EventSpec:
    """The root-cause report of the incident or outage this ticket was part of is published."""
    return EventSpec(
        EventKind.ROOT_CAUSE,
        after={"report": report, "title": title, "url": url},
        reason=f"root-cause report published: {url}",
        public=True,
    )


def incident_child_added(*, ticket: int) -> EventSpec:
    return EventSpec(EventKind.INCIDENT_CHILD_ADDED, after={"ticket": ticket})


def incident_unlinked(*, before: int) -> EventSpec:
    return EventSpec(EventKind.INCIDENT_UNLINKED, before={"master": before}, public=True)


def merged(*, came: dict[str, Any], reason: str) -> EventSpec:
    """On the survivor: a duplicate was merged into it."""
    return EventSpec(EventKind.MERGED, after=came, reason=reason, public=True)


def merged_into(*, into: dict[str, Any], reason: str) -> EventSpec:
    """On the duplicate: it was merged into the survivor (and closed)."""
    return EventSpec(EventKind.MERGED_INTO, after=into, reason=reason, public=True)


# ---------------------------------------------------------------- inbound mail


def follow_up_of(*, ticket: int, reference: str) -> EventSpec:
    after = {"ticket": ticket, "reference": reference}
    return EventSpec(EventKind.FOLLOW_UP_OF, after=after, reason="mail answering a closed ticket")


def unverified_sender(*, address: str, message_id: int | None, why: str = "") -> EventSpec:
    """Internal: a reply from no contact, or from a contact's address the mail does not prove
    (``why``: the sender authentication's verdict)."""
    return EventSpec(
        EventKind.UNVERIFIED_SENDER,
        after={"from": address, "message_id": message_id},
        reason=why or "a reply to our mail from an address that is no contact of this merchant",
    )


def merchant_asks_priority(
    *, asked: str, current: str, message_id: int | None, unverified: bool = False
) -> EventSpec:
    """Internal: a reply's subject asks for a higher priority, or an unverified sender's new mail
    asks for C1 (``message_id`` None: the ticket's description; opened at ``current``)."""
    where = "a new mail from an unverified sender" if unverified else "a reply"
    return EventSpec(
        EventKind.MERCHANT_ASKS_PRIORITY,
        after={"asked": asked, "current": current, "message_id": message_id},
        reason=f"the merchant asks for {asked} in the subject of {where}",
    )
