"""Who answers a new mail ticket, and who is paged for a C1 nobody can vouch for: an app
above mail registers here, mail never imports it.

When a mail opens a ticket (or staff turn a quarantined mail into one) the mail service calls
``ticket_opened`` inside the same transaction with what it knows of the mail; the registered
listener (the notifications app's acknowledgement, in its ``AppConfig.ready``) decides whether
the sender is answered and writes the answer to the outbox. It returns the Message-ID of the
answer it wrote (which mail records with the incoming mail's own, one INSERT), or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from helpline.tickets.models import Ticket


@dataclass(frozen=True)
class Opened:
    """A ticket opened by a mail: its sender, its threading headers, what was refused."""

    ticket: Ticket
    sender: str
    automatic: str  # why the mail is automatic (an auto-reply, a bounce, …); "" for a person
    message_id: str | None  # the mail's own Message-ID (None: it had none)
    references: Sequence[str]
    refused: Sequence[str]  # attachments not accepted, "name (reason)"
    inbound_key: str  # the key the mail was received under (its Message-ID or a digest)
    now: datetime


class Listener(Protocol):
    def __call__(self, opened: Opened) -> str | None: ...


_listeners: list[Listener] = []


def register(listener: Listener) -> None:
    """Add a listener (idempotent: registering the same function twice keeps one)."""
    if listener not in _listeners:
        _listeners.append(listener)


def ticket_opened(opened: Opened) -> str | None:
    """The Message-ID of the answer a listener wrote to the outbox, or None (nobody answered)."""
    answered = None
    for listener in _listeners:
        answered = listener(opened) or answered
    return answered


@dataclass(frozen=True)
class UnverifiedC1:
    """A mail asking for C1 whose sender nobody vouches for: quarantined (``ticket`` None) or
    opened at C3 as an unverified sender's. Mail already applied the hourly limit per domain."""

    sender: str
    subject: str
    why: str  # "quarantined: unknown sender", "unverified sender", …
    ticket: Ticket | None
    inbound_key: str
    now: datetime


class Pager(Protocol):
    def __call__(self, request: UnverifiedC1) -> bool: ...


_pagers: list[Pager] = []


def register_pager(pager: Pager) -> None:
    """Add who pages for an unverified C1 (idempotent)."""
    if pager not in _pagers:
        _pagers.append(pager)


def unverified_c1(request: UnverifiedC1) -> bool:
    """Whether a registered pager paged someone."""
    paged = False
    for pager in _pagers:
        paged = pager(request) or paged
    return paged


@dataclass(frozen=True)
class Bounced:
    """A bounce arrived: ``addresses`` failed permanently (``mail.bounces``). ``key``: the
    bounce's own key (its Message-ID or digest), received once."""

    addresses: Sequence[str]
    key: str
    now: datetime


class BounceListener(Protocol):
    def __call__(self, bounce: Bounced) -> int: ...


_bounce_listeners: list[BounceListener] = []


def register_bounce(listener: BounceListener) -> None:
    """Add who counts bounces (idempotent): the status subscriptions drop an address."""
    if listener not in _bounce_listeners:
        _bounce_listeners.append(listener)


def bounced(bounce: Bounced) -> int:
    """How many records the listeners changed (inside the mail's transaction)."""
    return sum(listener(bounce) for listener in _bounce_listeners)
