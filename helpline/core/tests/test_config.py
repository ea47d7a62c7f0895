"""A bad environment value stops start-up with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from helpline.core import config
from helpline.core.config import ConfigError
from helpline.core.tests import clean_env, run_helpline

pytestmark = pytest.mark.pure

GOOD_KEY = "k" * 40


def unwritable_dir(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        # Modes do not stop root; procfs does (and os.access() would say "writable").
        return Path("/proc")
    path = tmp_path / "read-only"
    path.mkdir()
    path.chmod(0o500)
    return path


# --- each reader, in process ---------------------------------------------------------------


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(ConfigError, match="HELPLINE_DATA_DIR"):
        config.data_dir({"HELPLINE_DATA_DIR": str(file)})


def test_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(ConfigError, match=r"HELPLINE_DATA_DIR.*cannot be created"):
        config.data_dir({"HELPLINE_DATA_DIR": str(file / "below")})


def test_data_dir_unwritable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"HELPLINE_DATA_DIR.*not writable"):
        config.data_dir({"HELPLINE_DATA_DIR": str(unwritable_dir(tmp_path))})


def test_data_dir_is_created_and_defaults_to_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert config.data_dir({"HELPLINE_DATA_DIR": str(tmp_path / "a" / "b")}).is_dir()
    monkeypatch.chdir(tmp_path)
    assert config.data_dir({}) == tmp_path / "var"


def test_secret_key_too_short(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HELPLINE_SECRET_KEY"):
        config.secret_key({"HELPLINE_SECRET_KEY": "too-short"}, tmp_path)


def test_secret_key_from_the_environment_writes_no_file(tmp_path: Path) -> None:
    assert config.secret_key({"HELPLINE_SECRET_KEY": GOOD_KEY}, tmp_path) == GOOD_KEY
    assert not (tmp_path / "secret_key").exists()


def test_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = config.secret_key({}, tmp_path)
    assert len(first) >= 32
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert config.secret_key({}, tmp_path) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporary left


def test_secret_key_is_the_same_for_processes_starting_together(tmp_path: Path) -> None:
    barrier = threading.Barrier(8)
    keys: list[str] = []

    def start() -> None:
        barrier.wait()
        keys.append(config.secret_key({}, tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1
    assert (tmp_path / "secret_key").read_text().strip() == keys[0]


def test_an_unusable_secret_key_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("short\n")
    key = config.secret_key({}, tmp_path)
    assert len(key) >= 32
    assert config.secret_key({}, tmp_path) == key


def test_time_zone_unknown() -> None:
    with pytest.raises(ConfigError, match="HELPLINE_TIME_ZONE"):
        config.time_zone({"HELPLINE_TIME_ZONE": "Mars/Olympus_Mons"})
    assert config.time_zone({}) == "Asia/Kolkata"


@pytest.mark.parametrize("raw", ["", " , ", ","])
def test_allowed_hosts_empty(raw: str) -> None:
    with pytest.raises(ConfigError, match="HELPLINE_ALLOWED_HOSTS"):
        config.allowed_hosts({"HELPLINE_ALLOWED_HOSTS": raw})


def test_allowed_hosts_bad_entry() -> None:
    with pytest.raises(ConfigError, match="HELPLINE_ALLOWED_HOSTS"):
        config.allowed_hosts({"HELPLINE_ALLOWED_HOSTS": "example.com, http://x/"})
    assert config.allowed_hosts({"HELPLINE_ALLOWED_HOSTS": " a.example , b "}) == [
        "a.example",
        "b",
    ]


def test_debug_maybe() -> None:
    with pytest.raises(ConfigError, match="HELPLINE_DEBUG"):
        config.boolean({"HELPLINE_DEBUG": "maybe"}, "HELPLINE_DEBUG", False)
    assert config.boolean({"HELPLINE_DEBUG": "Yes"}, "HELPLINE_DEBUG", False) is True
    assert config.boolean({}, "HELPLINE_DEBUG", False) is False


@pytest.mark.parametrize("raw", ["two", "0", "-1", "1.5"])
def test_web_workers_not_a_positive_number(raw: str) -> None:
    with pytest.raises(ConfigError, match="HELPLINE_WEB_WORKERS"):
        config.positive_int({"HELPLINE_WEB_WORKERS": raw}, "HELPLINE_WEB_WORKERS", 2)


@pytest.mark.parametrize("raw", ["0", "101", "150", "twenty"])
def test_storm_percent_outside_1_to_100_stops_start_up(raw: str) -> None:
    # 150 % of the watched stores could never be down: a typo, not a setting to clamp.
    with pytest.raises(ConfigError, match="HELPLINE_STORM_PERCENT"):
        config.percent({"HELPLINE_STORM_PERCENT": raw}, "HELPLINE_STORM_PERCENT", 20)
    assert config.percent({"HELPLINE_STORM_PERCENT": "100"}, "HELPLINE_STORM_PERCENT", 20) == 1
    assert config.percent({}, "HELPLINE_STORM_PERCENT", 20) == 0.2


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root:hunter2@db/helpline",
        "garbage",
        "postgresql://postgres@127.0.0.1:notaport/helpline",
        "postgresql://postgres@127.0.0.1:5432",
    ],
)
def test_database_url_bad(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL") as caught:
        config.database({"DATABASE_URL": url}, tmp_path)
    assert "hunter2" not in str(caught.value)  # a URL may carry a password: never echo it


def test_database_default_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    db = config.database({}, tmp_path)
    assert db["ENGINE"] == "helpline.core.sqlite"  # Django's, with a writers' queue
    assert db["NAME"] == str(tmp_path / "helpline.sqlite3")
    # A file, not :memory:, so that subprocesses in tests can share it; pytest-django adds a
    # per-worker suffix (_gw0, _gw1 …) under xdist.
    assert db["TEST"]["NAME"] == str(tmp_path / "test-helpline.sqlite3")


def test_sqlite_connections_persist_and_checkpoint_every_8000_pages(tmp_path: Path) -> None:
    """Decision 0080: a connection per request re-read the schema; a checkpoint every 1,000
    pages copied the same index leaves again and again."""
    import sqlite3

    db = config.database({}, tmp_path)
    assert db["CONN_MAX_AGE"] == 60
    conn = sqlite3.connect(db["NAME"])
    conn.executescript(db["OPTIONS"]["init_command"])
    names = (
        "journal_mode synchronous foreign_keys busy_timeout wal_autocheckpoint journal_size_limit"
    )
    pragmas = {name: conn.execute(f"PRAGMA {name}").fetchone()[0] for name in names.split()}
    conn.close()
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,  # FULL: a commit is on disk when it is acknowledged (decision 0148)
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "wal_autocheckpoint": 8000,
        "journal_size_limit": 64 * 1024 * 1024,
    }


def test_sqlite_synchronous_normal_only_when_asked(tmp_path: Path) -> None:
    import sqlite3

    db = config.database({"HELPLINE_SQLITE_SYNCHRONOUS": "normal"}, tmp_path)
    conn = sqlite3.connect(db["NAME"])
    conn.executescript(db["OPTIONS"]["init_command"])
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    conn.close()
    with pytest.raises(config.ConfigError, match="HELPLINE_SQLITE_SYNCHRONOUS='off' is not one of"):
        config.database({"HELPLINE_SQLITE_SYNCHRONOUS": "off"}, tmp_path)


def test_database_postgresql() -> None:
    db = config.database({"DATABASE_URL": "postgresql://u@h:5433/helpline"}, Path("/unused"))
    assert (db["ENGINE"], db["NAME"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "helpline",
        "h",
        5433,
    )
    # A persistent connection is checked before a request reuses it: one that died with a
    # PostgreSQL restart is replaced instead of failing the request (decision 0193).
    assert db["CONN_HEALTH_CHECKS"] is True
    # Server-side binding and prepared statements (decision 0083), unless turned off.
    assert db["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    off = config.database(
        {"DATABASE_URL": "postgresql://u@h/helpline", "HELPLINE_PG_PREPARED": "off"}, Path("/x")
    )
    # Off: still bound by the server, never prepared (decision 0197).
    assert off["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": None}
    with pytest.raises(ConfigError, match="HELPLINE_PG_PREPARED"):
        config.database(
            {"DATABASE_URL": "postgresql://u@h/helpline", "HELPLINE_PG_PREPARED": "maybe"},
            Path("/x"),
        )


def test_database_behind_pgbouncer() -> None:
    """Decision 0156: transaction pooling keeps nothing across transactions."""
    url = "postgresql://u@h:6432/helpline"
    plain = config.database({"DATABASE_URL": url}, Path("/x"))
    assert not plain.get("DISABLE_SERVER_SIDE_CURSORS")
    pooled = config.database({"DATABASE_URL": url, "HELPLINE_PGBOUNCER": "on"}, Path("/x"))
    assert pooled["DISABLE_SERVER_SIDE_CURSORS"] is True
    # Prepared statements off by default; unnamed server-side statements are safe (0197).
    assert pooled["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": None}
    kept = config.database(
        {"DATABASE_URL": url, "HELPLINE_PGBOUNCER": "on", "HELPLINE_PG_PREPARED": "on"}, Path("/x")
    )
    assert kept["OPTIONS"]["prepare_threshold"] == 5  # PgBouncer ≥ 1.21 keeps them
    with pytest.raises(ConfigError, match="HELPLINE_PGBOUNCER"):
        config.database({"DATABASE_URL": url, "HELPLINE_PGBOUNCER": "sometimes"}, Path("/x"))


# --- the real start-up, in a subprocess ----------------------------------------------------


def _file(tmp_path: Path) -> str:
    path = tmp_path / "a-file"
    path.write_text("x")
    return str(path)


BAD: list[tuple[str, Callable[[Path], str]]] = [
    ("HELPLINE_DATA_DIR", _file),
    ("HELPLINE_DATA_DIR", lambda p: str(unwritable_dir(p))),
    ("HELPLINE_SECRET_KEY", lambda p: "short"),
    ("HELPLINE_TIME_ZONE", lambda p: "Mars/Olympus_Mons"),
    ("HELPLINE_ALLOWED_HOSTS", lambda p: " , "),
    ("HELPLINE_DEBUG", lambda p: "maybe"),
    ("DATABASE_URL", lambda p: "mysql://root:hunter2@db/helpline"),
    ("DATABASE_URL", lambda p: "garbage"),
    ("HELPLINE_STORAGE_URL", lambda p: "ftp://key:hunter2@host/bucket"),
    ("HELPLINE_STORAGE_URL", lambda p: "s3://key:hunter2@host:99999/bucket"),
]


@pytest.mark.parametrize(("name", "value"), BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_start_up_with_a_bad_value_says_one_line(
    name: str, value: Callable[[Path], str], tmp_path: Path
) -> None:
    env = clean_env(tmp_path / "data", **{name: value(tmp_path)})
    result = run_helpline("manage", "check", env=env)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert lines[0].startswith("helpline: configuration error: ")
    assert "Traceback" not in result.stderr + result.stdout
    assert "hunter2" not in result.stderr


def test_serve_with_bad_web_workers_says_one_line(tmp_path: Path) -> None:
    env = clean_env(tmp_path, HELPLINE_WEB_WORKERS="lots")
    result = run_helpline("serve", "--port", "1", env=env)
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "helpline: configuration error: HELPLINE_WEB_WORKERS='lots' is not a positive whole number"
    ]


def test_start_up_with_good_values_passes_the_checks(tmp_path: Path) -> None:
    result = run_helpline("manage", "check", env=clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()
    # Options after the management command's name are its own, --help included.
    result = run_helpline("manage", "check", "--help", env=clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: helpline manage check")


def test_help_needs_no_database_nor_configuration(tmp_path: Path) -> None:
    """`helpline --help` (and each command's) works before anything is configured."""
    env = clean_env(
        tmp_path / "missing",
        DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing",
        HELPLINE_DEBUG="maybe",
    )
    # In a subprocess: core's tests may not import the CLI (import-linter), and loading every
    # command module must not read the settings either.
    listing = subprocess.run(
        [
            sys.executable,
            "-c",
            "from helpline.cli_commands.registry import COMMANDS; print(*COMMANDS, sep='\\n')",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    names = listing.stdout.split()
    assert {"migrate", "serve", "manage"} <= set(names)

    result = run_helpline("--help", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: helpline")
    for name in names:
        assert name in result.stdout
        sub = run_helpline(name, "--help", env=env)
        assert sub.returncode == 0, (name, sub.stderr)
        assert sub.stdout.startswith(f"usage: helpline {name}"), (name, sub.stdout)
    assert not (tmp_path / "missing").exists()  # nothing read the settings


def test_rate_limits_and_word_lists_from_the_environment() -> None:
    env = {"L": "api.token=6000, api.address = 12000", "W": "mx.a.test, mx.b.test mx.c.test"}
    assert config.numbers(env, "L") == {"api.token": 6000, "api.address": 12000}
    assert config.numbers({}, "L") == {}
    assert config.words(env, "W") == ("mx.a.test", "mx.b.test", "mx.c.test")
    for bad in ("api.token", "api.token=0", "api.token=many", "=5"):
        with pytest.raises(ConfigError, match="is not name=positive number"):
            config.numbers({"L": bad}, "L")
