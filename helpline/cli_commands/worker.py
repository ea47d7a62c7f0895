"""helpline worker (the sweeps and the outbox) and helpline outbox (dead letters)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import Any

from helpline.cli_commands.registry import command, fail, handler, setup_django


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of seconds (0 < s ≤ 3600)")
    return value


@command(
    "worker",
    "Sweep SLA warnings, breaches, quote expiry and auto-close; deliver the outbox; probe stores.",
)
def _worker_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="one step, then exit")
    parser.add_argument(
        "--interval", type=_seconds, default=1.0, help="seconds to wait when idle (default 1)"
    )
    parser.add_argument("--name", default=None, help="this worker's name in claims")
    parser.add_argument(
        "--threads",
        type=int,
        choices=range(1, 17),
        default=1,
        metavar="N",
        help="send on N connections at once (default 1: only one notification in flight)",
    )
    parser.add_argument(
        "--no-probes", action="store_true", help="do not probe stores (another worker does)"
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        metavar="PORT",
        help="serve this worker's Prometheus metrics (probe rounds) on PORT (0: a free one)",
    )
    parser.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        help="the address the metrics listen on (default 127.0.0.1: this machine only)",
    )


@handler("worker")
def _worker(args: argparse.Namespace) -> int:
    setup_django()
    from helpline import worker

    logging.getLogger("helpline").setLevel(logging.INFO)
    if args.once:
        for line in worker.once(
            worker=args.name, threads=args.threads, with_probes=not args.no_probes
        ):
            sys.stdout.write(f"{line}\n")
        return 0
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        # Finish the row in hand, then leave: claimed rows not yet sent fall due again when
        # their lease ends (another worker, or this one restarted, takes them).
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if args.metrics_port is not None:
        try:
            host, port = worker.metrics_serve(host=args.metrics_host, port=args.metrics_port)
        except OSError as exc:
            return fail(f"cannot serve metrics on {args.metrics_host}:{args.metrics_port}: {exc}")
        sys.stdout.write(f"helpline worker: metrics on http://{host}:{port}/metrics\n")
    sys.stdout.write("helpline worker: running (SIGTERM or Ctrl-C stops it)\n")
    sys.stdout.flush()
    steps = worker.serve(
        stop=stop,
        interval=args.interval,
        worker=args.name,
        threads=args.threads,
        with_probes=not args.no_probes,
    )
    sys.stdout.write(f"helpline worker: stopped after {steps} steps\n")
    return 0


@command("outbox", "Notifications: counts, dead letters, retry (helpline outbox retry ID…|--dead).")
def _outbox_args(parser: argparse.ArgumentParser) -> None:
    subs = parser.add_subparsers(dest="outbox_command", metavar="SUBCOMMAND")
    subs.required = True
    subs.add_parser("status", help="How many notifications are pending, sending, done, dead.")
    subs.add_parser("dead", help="List dead letters (newest first) with their last error.")
    retry = subs.add_parser("retry", help="Send dead letters again (fresh attempts, due now).")
    retry.add_argument("ids", nargs="*", type=int)
    retry.add_argument("--dead", action="store_true", help="every dead letter")


@handler("outbox")
def _outbox(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.outbox import services

    out = sys.stdout
    if args.outbox_command == "status":
        for state, n in services.outbox_counts().items():
            out.write(f"{state:<8} {n}\n")
        return 0
    if args.outbox_command == "dead":
        for row in services.outbox_dead():
            error = row.last_error.splitlines()[0] if row.last_error else ""
            out.write(
                f"{row.pk}\t{row.channel}\t{row.kind}\t{row.recipient}\t"
                f"{row.attempts} tries\t{error}\n"
            )
        return 0
    if not args.ids and not args.dead:
        return fail("name the notifications to retry (ids), or --dead for all")
    n = services.outbox_retry(ids=args.ids or None, all_dead=args.dead)
    out.write(f"{n} notification(s) will be sent again\n")
    return 0
