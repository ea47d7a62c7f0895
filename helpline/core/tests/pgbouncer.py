"""A real PgBouncer (Debian's ``pgbouncer``) in transaction mode on a free loopback port, in
front of the PostgreSQL the tests use. PgBouncer refuses to run as root: under root it runs as
the ``postgres`` user (``runuser``). Used by the multi-node test and ``bench/pgbouncer.py``."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from helpline.core.tests.s3server import end, free_port, wait_listening


def pgbouncer_path() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )


class PgBouncer:
    def __init__(self, database_url: str, pool_size: int = 20) -> None:
        binary = pgbouncer_path()
        if binary is None:
            raise RuntimeError("pgbouncer is not installed (apt-get install pgbouncer)")
        self.binary = binary
        self.upstream = urlsplit(database_url)
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="helpline-pgbouncer-"))
        self.dir.chmod(0o755)
        self.pool_size = pool_size
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self) -> str:
        """The DATABASE_URL through PgBouncer (same user, password and database)."""
        netloc = self.upstream.netloc.rsplit("@", 1)
        auth = netloc[0] + "@" if len(netloc) == 2 else ""
        return urlunsplit(self.upstream._replace(netloc=f"{auth}127.0.0.1:{self.port}"))

    def start(self) -> None:
        host = self.upstream.hostname or "127.0.0.1"
        port = self.upstream.port or 5432
        ini = self.dir / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            # auth_type=any: PgBouncer logs in upstream as this user, whoever connects.
            f"* = host={host} port={port} user={self.upstream.username or 'postgres'}"
            + (f" password={unquote(self.upstream.password)}" if self.upstream.password else "")
            + "\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\n"
            f"unix_socket_dir = {self.dir}\n"
            "auth_type = any\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {self.pool_size}\n"
            "max_client_conn = 500\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            "server_reset_query =\n"
            f"logfile = {self.dir / 'pgbouncer.log'}\n"
        )
        ini.chmod(0o644)
        command = [self.binary, str(ini)]
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            wait_listening(self.proc, self.port, "pgbouncer")
        except RuntimeError:
            self.stop()
            raise

    def log(self) -> str:
        path = self.dir / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None:
            end(self.proc)
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
