"""Who is acting and from where, for the entries written while they act: the request (set by
``audit.middleware``), or a process's own label (``helpline <command>``, the worker)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from helpline.core.middleware import client_address

USER_AGENT_MAX = 512


@dataclass(frozen=True)
class Who:
    actor_id: int | None
    actor_label: str
    ip: str
    user_agent: str


_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_process: ContextVar[str] = ContextVar("audit_process", default="system")


@contextlib.contextmanager
def request_scope(request: HttpRequest) -> Iterator[None]:
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def set_process(label: str) -> None:
    """Name this process for entries written outside a request (``cli: helpline worker``)."""
    _process.set(label)


def person(user: Any) -> tuple[int | None, str]:
    """(id, e-mail) of a signed-in user; (None, "") for anybody else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return int(user.pk), str(getattr(user, "email", "") or user.pk)


def where(request: HttpRequest | None) -> tuple[str, str]:
    if request is None:
        return "", ""
    agent = str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX]
    return client_address(request), agent


def current(actor: Any = None) -> Who:
    """Who acts now: ``actor`` when a service names one, else the request's user (a bearer
    token's user too: the API sets ``request.auth``), else this process."""
    request = _request.get()
    ip, agent = where(request)
    if actor is None and request is not None:
        actor = getattr(request, "auth", None)
        if not getattr(actor, "is_authenticated", False):
            actor = getattr(request, "user", None)
    actor_id, label = person(actor)
    if actor_id is None:
        label = _process.get() if request is None else "anonymous"
    return Who(actor_id=actor_id, actor_label=label, ip=ip, user_agent=agent)
