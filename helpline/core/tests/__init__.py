"""Tests of the shared kernel: configuration, the ``helpline`` command, serving."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

# The `helpline` console script, run by this interpreter (works in any venv, no PATH needed).
HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]


def clean_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """This process's environment without Helpline's settings, on ``data_dir`` (SQLite)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HELPLINE_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["HELPLINE_DATA_DIR"] = str(data_dir)
    env.update(overrides)
    return env


def run_helpline(
    *args: str, env: Mapping[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HELPLINE, *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


START_UP_SECONDS = 180  # a fresh database is migrated, static files collected (a loaded CI box)


def serve_started(
    argv: list[str],
    *,
    env: Mapping[str, str],
    log: Path,
    ready: Callable[[], bool],
    own_group: bool = False,
) -> subprocess.Popen[bytes]:
    """``helpline serve ARGV…`` started, once ``ready()`` says so (``OSError`` counts as not
    yet); ``own_group``: in a process group of its own (a test may SIGKILL master and
    workers at once)."""
    with log.open("a") as out:
        proc = subprocess.Popen(
            [*HELPLINE, "serve", *argv],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )
    # Readiness poll of a real subprocess: bounded by a deadline, short sleeps.
    deadline = time.monotonic() + START_UP_SECONDS
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"serve exited {proc.returncode}:\n{log.read_text()}"
        try:
            if ready():
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise AssertionError(f"no answer within {START_UP_SECONDS}s:\n{log.read_text()}")


def serve_stopped(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM, as an operator stops it; its exit status (killed after 20 s of hanging)."""
    proc.terminate()
    try:
        return proc.wait(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
        proc.kill()
        return proc.wait()
