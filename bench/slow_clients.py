"""Slow and large clients against the real server: is everyone else still answered?

Run: .venv/bin/python bench/slow_clients.py [--slow 50] [--uploads 5] [--upload-mb 100]
                                            [--seconds 20] [--configs old,new]

One SQLite database in a temporary directory, migrated once; then per configuration a real
server on a free loopback port:

- ``old``: the command line ``helpline serve`` ran before decision 0147 — gunicorn, 2 sync
  workers, ``helpline.wsgi``;
- ``gthread``: the alternative weighed in decision 0147 — gunicorn's threaded workers (2 × 4
  threads, ``helpline.wsgi``, 5 s keep-alive, 30 s timeout);
- ``new``: ``helpline serve`` as it is (``--workers 2``, ``HELPLINE_WEB_THREADS`` 4).

While ``--slow`` sockets send a request's headers one short line a second (slowloris) and
``--uploads`` clients each POST an anonymous ``--upload-mb`` MB multipart body to
``/accounts/login/`` as fast as loopback takes it (again a second after each answer, for the
whole run), a probe asks for the sign-in page, the status page and the API's health in turn,
every 100 ms, each with a 5 s timeout. Printed side by side: how many probes were answered, how
many within 1 s, their p50/p95/max, what the uploads got back and after how long.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]
PROBES = ("/accounts/login/", "/status/", "/api/v1/health")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def env_for(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "DATABASE_"))}
    env["HELPLINE_DATA_DIR"] = str(data)
    env["PYTHONPATH"] = str(ROOT)
    return env


def start(config: str, data: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    if config == "old":
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        argv = [
            gunicorn, "helpline.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--access-logfile", "-", "--graceful-timeout", "10",
            "--no-control-socket",
        ]  # fmt: skip
    elif config == "gthread":
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        argv = [
            gunicorn, "helpline.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--worker-class", "gthread", "--threads", "4",
            "--keep-alive", "5", "--timeout", "30", "--no-control-socket",
        ]  # fmt: skip
    else:
        argv = [*HELPLINE, "serve", "--port", str(port), "--workers", "2", "--no-migrate"]
    with log.open("w") as out:
        proc = subprocess.Popen(argv, env=env_for(data), stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{config}: the server exited:\n{log.read_text()}")
        if fetch(port, "/accounts/login/", 2)[0] == 200:
            return proc, port
        time.sleep(0.2)
    raise SystemExit(f"{config}: no answer in 90 s:\n{log.read_text()}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def fetch(port: int, path: str, timeout: float) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


class Attack:
    def __init__(self, port: int, slow: int, uploads: int, upload_mb: int) -> None:
        self.port, self.slow, self.uploads, self.upload_bytes = port, slow, uploads, upload_mb << 20
        self.stop = threading.Event()
        self.upload_results: list[tuple[str, float]] = []
        self.slow_reopened = 0
        self.threads = [threading.Thread(target=self.slowloris, daemon=True)]
        self.threads += [threading.Thread(target=self.upload, daemon=True) for _ in range(uploads)]

    def __enter__(self) -> Attack:
        for t in self.threads:
            t.start()
        time.sleep(1.0)  # let the sockets take what they can before the probe starts
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=10)

    def _open_slow(self) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return s

    def slowloris(self) -> None:
        socks: list[socket.socket | None] = [None] * self.slow
        n = 0
        while not self.stop.is_set():
            for i in range(self.slow):
                try:
                    if socks[i] is None:
                        socks[i] = self._open_slow()
                        if n:
                            self.slow_reopened += 1
                    sock = socks[i]
                    assert sock is not None
                    sock.sendall(f"X-Slow-{n}: {i}\r\n".encode())
                except OSError:
                    socks[i] = None
            n += 1
            self.stop.wait(1.0)
        for s in socks:
            if s is not None:
                s.close()

    def upload(self) -> None:
        boundary = "helplinebench"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        chunk = b"\0" * (1 << 20)
        while not self.stop.is_set():
            started = time.perf_counter()
            outcome = "no answer"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
                    length = self.upload_bytes + len(head) + len(tail)
                    s.sendall(
                        b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + f"Content-Type: multipart/form-data; boundary={boundary}\r\n".encode()
                        + f"Content-Length: {length}\r\n\r\n".encode()
                        + head
                    )
                    try:
                        sent = 0
                        while sent < self.upload_bytes and not self.stop.is_set():
                            s.sendall(chunk)
                            sent += len(chunk)
                        s.sendall(tail)
                    except OSError:
                        pass  # refused before the body was read: the answer is waiting
                    answer = s.recv(200).split(b"\r\n", 1)[0].decode(errors="replace")
                    outcome = answer.split(" ", 2)[1] if answer.count(" ") >= 1 else "closed"
            except OSError as exc:
                outcome = type(exc).__name__
            self.upload_results.append((outcome, time.perf_counter() - started))
            self.stop.wait(1.0)  # a person (or a script) trying again, not a flood


def run(config: str, data: Path, args: argparse.Namespace) -> dict[str, str]:
    proc, port = start(config, data, data / f"{config}.log")
    try:
        for path in PROBES:  # warm both workers' caches
            for _ in range(4):
                fetch(port, path, 10)
        times: list[float] = []
        statuses: dict[int, int] = {}
        with Attack(port, args.slow, args.uploads, args.upload_mb) as attack:
            ends = time.monotonic() + args.seconds
            n = 0
            while time.monotonic() < ends:
                status, took = fetch(port, PROBES[n % len(PROBES)], 5)
                n += 1
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    times.append(took)
                time.sleep(0.1)
        results = attack.upload_results
    finally:
        stop_server(proc)
    asked = sum(statuses.values())
    within = sum(1 for t in times if t <= 1.0)
    q = statistics.quantiles(times, n=20) if len(times) >= 2 else [0.0] * 19
    kinds: dict[str, int] = {}
    for outcome, _ in results:
        kinds[outcome] = kinds.get(outcome, 0) + 1
    upload_p50 = statistics.median([t for _, t in results]) if results else 0.0
    return {
        "probes asked": str(asked),
        "answered 200": str(len(times)),
        "answered within 1 s": f"{within} ({100 * within / max(asked, 1):.0f} %)",
        "p50 / p95 / max (ms)": (
            f"{1000 * statistics.median(times):.0f} / {1000 * q[18]:.0f} / {1000 * max(times):.0f}"
            if times
            else "-"
        ),
        "other answers": ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items()) if k != 200)
        or "-",
        "uploads: answers": ", ".join(f"{k}×{v}" for k, v in sorted(kinds.items())) or "-",
        "uploads: median time to answer": f"{upload_p50:.2f} s",
        "slow sockets reopened": str(attack.slow_reopened),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--uploads", type=int, default=5)
    parser.add_argument("--upload-mb", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--configs", default="old,new")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="helpline-slow-") as tmp:
        data = Path(tmp)
        env = env_for(data)
        for step in (["migrate", "--quiet"], ["manage", "collectstatic", "--noinput", "-v0"]):
            subprocess.run([*HELPLINE, *step], env=env, check=True)  # noqa: S603
        configs = args.configs.split(",")
        print(
            f"{args.slow} slowloris sockets + {args.uploads} anonymous {args.upload_mb} MB "
            f"uploads to /accounts/login/ for {args.seconds} s; probe every 100 ms of "
            f"{', '.join(PROBES)}"
        )
        columns = {c: run(c, data, args) for c in configs}
    rows = list(next(iter(columns.values())))
    width = max(len(r) for r in rows)
    print(f"{'':<{width}}  " + "  ".join(f"{c:>24}" for c in configs))
    for r in rows:
        print(f"{r:<{width}}  " + "  ".join(f"{columns[c][r]:>24}" for c in configs))


if __name__ == "__main__":
    main()
