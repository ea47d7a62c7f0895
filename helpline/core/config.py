"""Reading configuration from the environment, loudly.

Every setting Helpline reads from the environment goes through here so that a bad value
stops start-up with one clear line naming the variable (``ConfigError``), never a traceback
deep inside Django.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpline.core.zones import known_zone


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


SECRET_KEY_FILE = "secret_key"  # noqa: S105 - the generated key's file in the data directory


def secret_key(env: Mapping[str, str], directory: Path) -> str:
    """The secret key: HELPLINE_SECRET_KEY, else one generated once into the data directory."""
    raw = env.get("HELPLINE_SECRET_KEY")
    if raw is not None:
        if len(raw.strip()) < 32:
            raise ConfigError("HELPLINE_SECRET_KEY must be at least 32 characters long")
        return raw.strip()
    key_file = directory / SECRET_KEY_FILE
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
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{SECRET_KEY_FILE}.")  # mode 0600
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
    if known_zone(raw) is None:
        raise ConfigError(f"HELPLINE_TIME_ZONE={raw!r} is not a known IANA time zone")
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


def non_negative_int(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number, 0 allowed (a retention period where 0 means "kept for ever")."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if not value.isdigit():
        raise ConfigError(f"{name}={raw!r} is not a whole number (0 or more)")
    return int(value)


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


def percent(env: Mapping[str, str], name: str, default: int) -> float:
    """A percentage from 1 to 100, as a share (20 → 0.2)."""
    value = positive_int(env, name, default)
    if value > 100:
        raise ConfigError(f"{name}={env.get(name)!r} is not a percentage from 1 to 100")
    return value / 100


def database(env: Mapping[str, str], directory: Path) -> dict[str, Any]:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return _sqlite(env, directory)
    return _database_url(env, raw)


def _sqlite(env: Mapping[str, str], directory: Path) -> dict[str, Any]:
    # FULL unless an operator knowingly takes NORMAL back (a bench, a throwaway demo).
    synchronous = choice(env, "HELPLINE_SQLITE_SYNCHRONOUS", ("full", "normal"), "full")
    return {
        # Django's SQLite backend with a writers' queue (core/sqlite; decision 0081).
        "ENGINE": "helpline.core.sqlite",
        "NAME": str(directory / "helpline.sqlite3"),
        "OPTIONS": {
            # WAL, a busy timeout and IMMEDIATE transactions: one writer at a time,
            # readers never blocked, no "database is locked" under a second process.
            # synchronous=FULL: each commit is on disk (the WAL synced) before it is
            # acknowledged, so a power cut loses no ticket, message or mail already
            # answered for (decision 0148; NORMAL lost up to the last checkpoint).
            # Checkpoints every 8,000 pages (32 MB) instead of 1,000: a ticket writes
            # ~40 pages, mostly the same index leaves, and each checkpoint copied them
            # again (a third of a mail's CPU); under FULL the interval no longer decides
            # what a crash loses, only the WAL's size; the file is cut back to 64 MB after.
            # Connections persist (a new one parsed the schema on every request).
            # Decision 0080.
            "init_command": (
                f"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous.upper()}; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; "
                "PRAGMA wal_autocheckpoint=8000; PRAGMA journal_size_limit=67108864;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 5,
        },
        "TEST": {"NAME": str(directory / "test-helpline.sqlite3")},
        "CONN_MAX_AGE": 60,
    }


def _database_url(env: Mapping[str, str], raw: str) -> dict[str, Any]:
    import dj_database_url

    # Never echo the URL: it may carry a password.
    if not raw.startswith(("postgres://", "postgresql://", "sqlite://")):
        scheme = raw.split("://", 1)[0] + "://" if "://" in raw else "no scheme"
        raise ConfigError(f"DATABASE_URL must be a postgresql:// (or sqlite://) URL, not {scheme}")
    try:
        # Persistent connections are checked before a request reuses them: after PostgreSQL
        # restarts, each one is dead, and without the check its next request was a 500
        # (the storm bench's restart, decision 0193).
        cfg: dict[str, Any] = dict(
            dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
        )
    except Exception as exc:  # dj_database_url raises several kinds
        raise ConfigError(f"DATABASE_URL cannot be read: {type(exc).__name__}") from None
    if cfg.get("ENGINE") == "django.db.backends.postgresql" and not cfg.get("NAME"):
        raise ConfigError("DATABASE_URL names no database (postgresql://user@host:port/NAME)")
    postgresql = cfg.get("ENGINE") == "django.db.backends.postgresql"
    # Behind PgBouncer's transaction pooling (decision 0156): each transaction may run on
    # another server connection, so nothing may outlive one — no server-side cursors
    # (.iterator()), and no prepared statements unless the operator says the pooler keeps them
    # (PgBouncer ≥ 1.21 with max_prepared_statements: HELPLINE_PG_PREPARED=on).
    pooled = postgresql and boolean(env, "HELPLINE_PGBOUNCER", False)
    if pooled:
        cfg["DISABLE_SERVER_SIDE_CURSORS"] = True
    if postgresql:
        # Parameters bound by the server (psycopg stops quoting values into SQL text), and a
        # statement prepared once it has run 5 times on a connection (psycopg's default;
        # Django's is never): PostgreSQL stops parsing and planning the same dozen statements
        # of every request. A ticket creation: 2.4 → 1.4 ms of PostgreSQL's CPU and 4.3 → 3.7 ms
        # in the web worker (decision 0083). Prepared statements off for a pooler that cannot
        # keep them (PgBouncer's transaction mode before 1.21), but still bound by the server:
        # unnamed statements live within one Sync, which transaction pooling keeps together
        # (psycopg's advice for PgBouncer; ~0.5 ms less of the worker's CPU a creation than
        # quoting on the client, decision 0197).
        prepared = boolean(env, "HELPLINE_PG_PREPARED", not pooled)
        cfg["OPTIONS"] = {
            **cfg.get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": 5 if prepared else None,
        }
    return cfg


def email_url(env: Mapping[str, str], directory: Path) -> dict[str, Any]:
    """Outgoing mail from HELPLINE_EMAIL_URL, as Django's EMAIL_* settings.

    ``smtp://user:pass@host:port`` (plain; port 25 by default), ``smtp+tls://…`` (STARTTLS, port
    587), ``smtps://…`` (TLS from the start, port 465). Unset: mail is written as files into
    ``<data dir>/sent-mail`` (nothing is lost on a laptop; the operator sees what would go out).
    """
    raw = env.get("HELPLINE_EMAIL_URL", "").strip()
    if not raw:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(directory / "sent-mail"),
        }
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        # Never echo the URL: it may carry a password.
        raise ConfigError(
            "HELPLINE_EMAIL_URL cannot be read (smtp://user:pass@host:port)"
        ) from None
    schemes = {
        "smtp": (25, False, False),
        "smtp+tls": (587, True, False),
        "smtps": (465, False, True),
    }
    if parts.scheme not in schemes:
        scheme = parts.scheme + "://" if parts.scheme else "no scheme"
        raise ConfigError(
            f"HELPLINE_EMAIL_URL must be smtp://, smtp+tls:// or smtps://, not {scheme}"
        )
    if not parts.hostname:
        raise ConfigError("HELPLINE_EMAIL_URL names no host (smtp://user:pass@host:port)")
    default_port, use_tls, use_ssl = schemes[parts.scheme]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": 10,
    }


def email_address(env: Mapping[str, str], name: str, default: str) -> str:
    """One address (``support@example.com`` or ``Support <support@example.com>``)."""
    import email.errors
    from email.headerregistry import Address
    from email.utils import parseaddr

    raw = env.get(name, "").strip() or default
    _, addr = parseaddr(raw)
    try:
        parsed = Address(addr_spec=addr) if addr else None
    except (ValueError, IndexError, email.errors.HeaderParseError):
        parsed = None
    if parsed is None or not parsed.username or not parsed.domain or "." not in parsed.domain:
        raise ConfigError(f"{name}={raw!r} is not an e-mail address (support@example.com)")
    return raw


def text(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, "").strip() or default


def secret_token(env: Mapping[str, str], name: str) -> str:
    """A shared secret a client presents (empty: the feature is off); at least 24 characters,
    so that it cannot be guessed."""
    raw = text(env, name)
    if raw and len(raw) < 24:
        raise ConfigError(f"{name} must be at least 24 characters long (or unset)")
    return raw


def words(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A list separated by commas or spaces: "mx.example.com, mail.example.net"."""
    return tuple(w for w in env.get(name, "").replace(",", " ").split() if w)


def extensions(env: Mapping[str, str], name: str, default: str) -> frozenset[str]:
    """File name extensions, lower case, without the dot: ".exe, bat" → {"exe", "bat"};
    unset: ``default``; "none": no extension at all."""
    raw = env.get(name, default)
    if raw.strip().lower() == "none":
        return frozenset()
    found = {w.lower().lstrip(".") for w in raw.replace(",", " ").split() if w}
    for word in sorted(found):
        if not re.fullmatch(r"[a-z0-9]{1,16}", word):
            raise ConfigError(f"{name}: {word!r} is not a file name extension (letters, digits)")
    return frozenset(found)


def numbers(env: Mapping[str, str], name: str) -> dict[str, int]:
    """ "api.token=6000, api.address=12000" → {"api.token": 6000, "api.address": 12000}."""
    found: dict[str, int] = {}
    for item in env.get(name, "").replace(";", ",").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip().isdigit() or int(value) < 1:
            raise ConfigError(f"{name}: {item.strip()!r} is not name=positive number")
        found[key.strip()] = int(value)
    return found


def http_url(env: Mapping[str, str], name: str, default: str) -> str:
    from urllib.parse import urlsplit

    raw = env.get(name, "").strip() or default
    try:
        parts = urlsplit(raw)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name}={raw!r} is not an http(s):// URL")
    return raw.rstrip("/")


def choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = env.get(name, "").strip().lower() or default
    if raw not in allowed:
        raise ConfigError(f"{name}={raw!r} is not one of: {', '.join(allowed)}")
    return raw
