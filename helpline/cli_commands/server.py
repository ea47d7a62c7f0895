"""migrate, serve, manage: running Helpline."""

from __future__ import annotations

import argparse
import os
import sys

from helpline.cli_commands.registry import command, fail, handler, setup_django
from helpline.core import config


@command("migrate", "Create or upgrade the database (and seed the default policy).")
def _migrate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true")


@handler("migrate")
def _migrate(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0 if args.quiet else 1)
    return 0


@command("manage", "Run a Django management command: helpline manage COMMAND [ARGS…].")
def _manage_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", default="help", help="the management command")
    # Everything after the name is the command's own, --help included.
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="its arguments")


@handler("manage")
def _manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["helpline manage", args.name, *args.rest, *args.extra])
    return 0


@command("serve", "Serve Helpline over HTTP with gunicorn (static files included).")
def _serve_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="gunicorn worker processes (default: HELPLINE_WEB_WORKERS, else 2)",
    )
    parser.add_argument("--no-migrate", action="store_true", help="do not migrate first")


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a positive whole number")
    return value


@handler("serve")
def _serve(args: argparse.Namespace) -> int:
    try:
        workers = args.workers or config.positive_int(os.environ, "HELPLINE_WEB_WORKERS", 2)
    except config.ConfigError as exc:
        return fail(f"configuration error: {exc}")
    setup_django()
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    _metrics_directory(args.port)
    sys.stdout.write(f"Helpline on http://{args.host}:{args.port}/\n")
    sys.stdout.flush()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    argv = [gunicorn, *gunicorn_options(host=args.host, port=args.port, workers=workers)]
    os.execv(gunicorn, argv)  # noqa: S606 - our own gunicorn, fixed argv, no shell
    return 0  # pragma: no cover - execv does not return


# Request lines and headers past these are refused with 400/431 before Django sees them: a
# URL of ours is well under 8 KB, a browser sends ~20 headers.
LIMIT_REQUEST_LINE = 8190
LIMIT_REQUEST_FIELDS = 64
LIMIT_REQUEST_FIELD_SIZE = 8190


def gunicorn_options(*, host: str, port: int, workers: int) -> list[str]:
    """gunicorn's arguments for ``helpline serve`` (decision 0147).

    The asyncio worker reads every request on its event loop and the front door
    (``helpline.asgi`` → ``core.door``) hands Django only whole requests, on
    ``HELPLINE_WEB_THREADS`` threads per process: a client that sends slowly, or sends too
    much, holds a socket, never a thread. Kept-alive connections idle for 5 s are closed; a
    worker whose loop stops answering for 30 s is replaced.
    """
    argv = [
        "helpline.asgi:application",
        "--worker-class",
        "asgi",
        "--asgi-lifespan",
        "off",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-connections",
        "1000",
        "--keep-alive",
        "5",
        "--timeout",
        "30",
        "--graceful-timeout",
        "10",
        "--limit-request-line",
        str(LIMIT_REQUEST_LINE),
        "--limit-request-fields",
        str(LIMIT_REQUEST_FIELDS),
        "--limit-request-field_size",
        str(LIMIT_REQUEST_FIELD_SIZE),
        "--access-logfile",
        "-",
    ]
    if _gunicorn_has_control_socket():
        # Its default is one socket per user (~/.gunicorn): two servers on a machine (tests,
        # a second instance) would take it from each other. We do not use gunicornc.
        argv.append("--no-control-socket")
    return argv


def _metrics_directory(port: int) -> None:
    """gunicorn's processes share their request metrics through files in one directory
    (prometheus_client's multiprocess mode; decision 0161): PROMETHEUS_MULTIPROC_DIR when set,
    else one per port under the data directory. Emptied at start: the figures of a previous
    run are not this one's."""
    from pathlib import Path

    from django.conf import settings

    from helpline.core.request_metrics import MULTIPROC_ENV

    directory = Path(os.environ.get(MULTIPROC_ENV) or settings.DATA_DIR / "metrics" / f"web-{port}")
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(directory)


def _gunicorn_has_control_socket() -> bool:
    from gunicorn import config as gunicorn_config

    return any(s.name == "control_socket_disable" for s in gunicorn_config.KNOWN_SETTINGS)
