"""The front door's cache of public pages (decision 0191): 200 anonymous clients at once cost
one render; anyone with a cookie or credentials, and any page not declared public, still goes
to Django; a kept page is renewed after its max-age."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import pytest

from helpline.core.door import Door

PUBLIC = [(b"content-type", b"text/html"), (b"cache-control", b"public, max-age=5")]


class Page:
    """A stand-in for Django: counts renders, answers with the headers it is given."""

    def __init__(self, headers: list[tuple[bytes, bytes]], status: int = 200) -> None:
        self.headers, self.status, self.renders = headers, status, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.renders += 1
        await asyncio.sleep(0.01)  # the render takes a while: others arrive meanwhile
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": f"render {self.renders}".encode()})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def door_for(page: Page, clock: Clock) -> Door:
    door = Door(page, threads=2, max_body=1024, anonymous_max_body=1024, session_cookie="sid")
    door.cache.clock = clock
    return door


async def get(door: Door, path: str = "/status/", **headers: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await door(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_two_hundred_anonymous_clients_at_once_cost_one_render() -> None:
    page, clock = Page(PUBLIC), Clock()
    door = door_for(page, clock)

    async def burst() -> list[tuple[int, bytes]]:
        return await asyncio.gather(*(get(door) for _ in range(200)))

    answers = asyncio.run(burst())
    assert answers == [(200, b"render 1")] * 200
    assert page.renders == 1
    clock.now += 4.9
    assert asyncio.run(get(door)) == (200, b"render 1")
    clock.now += 0.2  # past max-age: rendered again
    assert asyncio.run(get(door)) == (200, b"render 2")
    assert page.renders == 2


@pytest.mark.parametrize(
    "headers",
    [{"cookie": "sid=abc"}, {"authorization": "Bearer x"}, {"cookie": "csrftoken=1"}],
    ids=["session", "token", "any-cookie"],
)
def test_a_caller_with_a_cookie_or_credentials_is_never_served_a_shared_page(
    headers: dict[str, str],
) -> None:
    page, clock = Page(PUBLIC), Clock()
    door = door_for(page, clock)
    asyncio.run(get(door))
    assert asyncio.run(get(door, **headers)) == (200, b"render 2")
    assert asyncio.run(get(door)) == (200, b"render 1")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ([(b"cache-control", b"max-age=5")], 200),
        ([(b"cache-control", b"public, max-age=5"), (b"set-cookie", b"a=b")], 200),
        ([(b"cache-control", b"public, max-age=0")], 200),
        (PUBLIC, 404),
        ([], 200),
    ],
    ids=["not-public", "sets-a-cookie", "no-age", "not-200", "no-header"],
)
def test_what_django_does_not_declare_shareable_is_rendered_every_time(
    headers: list[tuple[bytes, bytes]], status: int
) -> None:
    page, clock = Page(headers, status), Clock()
    door = door_for(page, clock)
    asyncio.run(get(door))
    asyncio.run(get(door))
    assert page.renders == 2


def test_a_page_varying_on_a_header_is_shared_only_with_the_same_value() -> None:
    page, clock = Page([*PUBLIC, (b"vary", b"Accept-Language, Cookie")]), Clock()
    door = door_for(page, clock)
    assert asyncio.run(get(door, accept_language="en")) == (200, b"render 1")
    assert asyncio.run(get(door, accept_language="en")) == (200, b"render 1")
    assert asyncio.run(get(door, accept_language="hi")) == (200, b"render 2")


def test_query_strings_cannot_grow_the_cache_without_bound() -> None:
    page, clock = Page(PUBLIC), Clock()
    door = door_for(page, clock)

    async def many() -> None:
        for n in range(500):
            scope_path = f"/status/{n}"
            await get(door, scope_path)

    asyncio.run(many())
    assert len(door.cache.entries) <= 64
