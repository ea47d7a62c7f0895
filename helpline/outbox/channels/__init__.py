"""Channels as plug-ins: one folder per kind (see README.md beside this file).

``settings.NOTIFY_CHANNELS`` names the folders; each defines one ``Channel`` subclass.
"""

from __future__ import annotations

import functools
import importlib

from django.conf import settings

from helpline.outbox.channels.base import Channel


@functools.cache
def registry() -> dict[str, Channel]:
    found: dict[str, Channel] = {}
    for kind in settings.NOTIFY_CHANNELS:
        module = importlib.import_module(f"helpline.outbox.channels.{kind}")
        classes = [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Channel) and value.kind == kind
        ]
        if len(classes) != 1:
            raise RuntimeError(f"helpline/outbox/channels/{kind}/ must define one Channel '{kind}'")
        found[kind] = classes[0]()
    return found


def channel(kind: str) -> Channel:
    try:
        return registry()[kind]
    except KeyError:
        raise LookupError(f"no channel {kind!r} (settings.NOTIFY_CHANNELS)") from None
