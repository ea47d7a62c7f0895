"""What every channel is: a class with a ``kind`` and a ``send`` that raises when not accepted.

``send`` returns once the provider has *accepted* the notification (SMTP server took the mail,
the webhook receiver or the Cloud API answered 2xx): the worker marks the row done right after
it. Anything else is an exception: ``Retry`` (or any other exception) — try again later with
backoff; ``Unreachable`` — the provider is down: the whole batch waits a short while;
``Permanent`` — the provider will never take it (a 4xx, a bad address): straight to the dead
letter, where staff see it and may retry it after fixing the cause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Protocol


class Message(Protocol):
    """What a channel gets: the outbox row (read-only for the channel)."""

    pk: Any
    channel: str
    kind: str
    recipient: str
    payload: Any
    idempotency_key: str
    attempts: int


class Retry(Exception):
    """Not accepted this time; the worker retries with backoff."""


class Unreachable(Retry):
    """The provider could not be reached at all (refused, no route, no answer to connect): no
    row's fault. The worker stops the batch and puts it back, due again in
    ``NOTIFY_UNREACHABLE_RETRY_SECONDS``, without counting an attempt (decision 0190)."""


class Permanent(Exception):
    """Will never be accepted as it is: a dead letter at once."""


class Channel:
    """Subclass in ``helpline/outbox/channels/<kind>/__init__.py`` and set ``kind``."""

    kind: ClassVar[str] = ""

    @contextmanager
    def session(self) -> Iterator[None]:
        """Around a batch of sends (e.g. one SMTP connection for many mails)."""
        yield

    def send(self, message: Message) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def send_when_ready(self, message: Message, *, ready: Callable[[], None]) -> None:
        """``send``, calling ``ready()`` before the provider can accept the message.

        The worker marks the previous row done while this one is prepared; ``ready()`` waits
        for that mark (and raises if it failed). A channel may override this to do the work
        that cannot deliver anything (connect, build, address the message) before calling
        ``ready()`` — never after the step where the provider may accept it, or two
        notifications could be accepted and unmarked at once. The default calls it first.
        """
        ready()
        self.send(message)
