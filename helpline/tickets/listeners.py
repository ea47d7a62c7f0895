"""Who hears of a ticket's events: apps above tickets register here, tickets never imports them.

The ticket services write their ``TicketEvent`` rows and then call ``events_written`` inside the
same transaction; every registered listener runs there, so whatever it writes (outbox rows, for
one) commits with the change or not at all. Listeners are registered once, by the listening
app's ``AppConfig.ready`` — the whole wiring is visible in one grep for ``listeners.register``.
This is the one inversion in the house: a lower app learns nothing of a higher one, yet the
higher one hears of every change, in order and in the change's own transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from helpline.accounts.models import User
    from helpline.tickets.models import Ticket, TicketEvent


class Listener(Protocol):
    def __call__(
        self, *, ticket: Ticket, actor: User | None, events: Sequence[TicketEvent]
    ) -> Any: ...


_listeners: list[Callable[..., Any]] = []
_change = threading.local()  # .memo: the outermost events_written call's, while it runs


def register(listener: Listener) -> None:
    """Add a listener (idempotent: registering the same function twice keeps one)."""
    if listener not in _listeners:
        _listeners.append(listener)


def registered() -> tuple[Callable[..., Any], ...]:
    return tuple(_listeners)


def events_written(*, ticket: Ticket, actor: User | None, events: Sequence[TicketEvent]) -> None:
    """Called by the ticket services with the events they just wrote (same transaction)."""
    if not events:
        return
    outermost = getattr(_change, "memo", None) is None
    if outermost:
        _change.memo = {}
    try:
        for listener in _listeners:
            listener(ticket=ticket, actor=actor, events=events)
    finally:
        if outermost:
            _change.memo = None


def change_memo() -> dict[str, Any]:
    """What listeners read once per change: a dict that lives as long as the outermost
    ``events_written`` call (a change's listeners may write further events — routing does —
    and those are heard inside it), empty and unkept outside one. For reads the change itself
    cannot alter, such as the active webhook endpoints (decision 0198)."""
    memo = getattr(_change, "memo", None)
    return memo if memo is not None else {}
