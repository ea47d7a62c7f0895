"""Reading configuration from the environment, loudly.

Every setting Helpline reads from the environment goes through here so that a bad value
stops start-up with one clear line naming the variable (``ConfigError``), never a traceback
deep inside Django.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """A bad environment value. ``str(err)`` is the one line to show the operator."""


def data_dir(env: Mapping[str, str]) -> Path:
    raw = env.get("HELPLINE_DATA_DIR", "").strip() or "./var"
    path = Path(raw).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"HELPLINE_DATA_DIR={raw!r} is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"HELPLINE_DATA_DIR={raw!r} cannot be created: {exc.strerror}") from None
    # Try it rather than ask os.access(): root is "allowed" to write where writing still fails.
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ConfigError(f"HELPLINE_DATA_DIR={raw!r} is not writable: {exc.strerror}") from None
    return path


def secret_key(env: Mapping[str, str], directory: Path) -> str:
    """The secret key: HELPLINE_SECRET_KEY, else one generated once into the data directory."""
    raw = env.get("HELPLINE_SECRET_KEY")
    if raw is not None:
        if len(raw.strip()) < 32:
            raise ConfigError("HELPLINE_SECRET_KEY must be at least 32 characters long")
        return raw.strip()
    key_file = directory / "secret_key"
    try:
        existing = key_file.read_text().strip()
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise ConfigError(
            f"HELPLINE_SECRET_KEY is not set and {key_file} cannot be read: {exc.strerror}"
        ) from None
    if existing is not None and len(existing) >= 32:
        return existing
    # Several processes may start at once (gunicorn workers, pytest-xdist workers): write the
    # key to a private temporary file and publish it with one atomic link, so that every
    # process ends up with the same key and none reads a half-written file.
    value = secrets.token_urlsafe(50)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(value + "\n")
        if existing is not None:  # present but unusable (too short): replace it
            os.replace(tmp, key_file)
            return value
        try:
            os.link(tmp, key_file)
        except FileExistsError:  # another process published its key first: use that one
            return key_file.read_text().strip()
        return value
    finally:
        Path(tmp).unlink(missing_ok=True)


def time_zone(env: Mapping[str, str]) -> str:
    raw = env.get("HELPLINE_TIME_ZONE", "").strip() or "Asia/Kolkata"
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"HELPLINE_TIME_ZONE={raw!r} is not a known IANA time zone") from None
    return raw


def allowed_hosts(env: Mapping[str, str]) -> list[str]:
    raw = env.get("HELPLINE_ALLOWED_HOSTS")
    if raw is None:
        return ["127.0.0.1", "localhost", "[::1]", "testserver"]
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    if not hosts:
        raise ConfigError("HELPLINE_ALLOWED_HOSTS is set but names no host (comma-separated list)")
    for host in hosts:
        if any(c.isspace() for c in host) or "/" in host:
            raise ConfigError(f"HELPLINE_ALLOWED_HOSTS has a bad entry {host!r}")
    return hosts


def boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{name}={raw!r} is not a positive whole number")
    return value


def database(env: Mapping[str, str], directory: Path) -> dict[str, Any]:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(directory / "helpline.sqlite3"),
            "OPTIONS": {
                # WAL, a busy timeout and IMMEDIATE transactions: one writer at a time,
                # readers never blocked, no "database is locked" under a second process.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 5,
            },
            "TEST": {"NAME": str(directory / "test-helpline.sqlite3")},
        }
    import dj_database_url

    # Never echo the URL: it may carry a password.
    if not raw.startswith(("postgres://", "postgresql://", "sqlite://")):
        scheme = raw.split("://", 1)[0] + "://" if "://" in raw else "no scheme"
        raise ConfigError(f"DATABASE_URL must be a postgresql:// (or sqlite://) URL, not {scheme}")
    try:
        cfg: dict[str, Any] = dict(dj_database_url.parse(raw, conn_max_age=60))
    except Exception as exc:  # dj_database_url raises several kinds
        raise ConfigError(f"DATABASE_URL cannot be read: {type(exc).__name__}") from None
    if cfg.get("ENGINE") == "django.db.backends.postgresql" and not cfg.get("NAME"):
        raise ConfigError("DATABASE_URL names no database (postgresql://user@host:port/NAME)")
    return cfg
