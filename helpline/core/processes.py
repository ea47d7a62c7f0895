"""Whether a claim's process still lives: claims name their worker ``host:pid…``, and a worker
starting on the same host releases those of processes that are gone (SIGKILL, a crash) instead
of waiting for their lease. Another host's processes cannot be asked from here."""

from __future__ import annotations

import os
import socket


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def dead_here(claimer: str) -> bool:
    """``claimer`` (``host:pid`` and anything after it) names a process of this host that is
    gone."""
    host, _, rest = claimer.partition(":")
    pid = ""
    for char in rest:
        if not char.isdigit():
            break
        pid += char
    return host == socket.gethostname() and pid != "" and not alive(int(pid))
