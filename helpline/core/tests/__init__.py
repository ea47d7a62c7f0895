"""Tests of the shared kernel: configuration, the ``helpline`` command, serving."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
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


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a server the test started: SIGTERM, then SIGKILL if it hangs."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
        proc.kill()
        proc.wait()
