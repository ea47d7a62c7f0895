"""demo: load demo data and print how to sign in."""

from __future__ import annotations

import argparse
import sys
import time

from helpline.cli_commands.registry import command, fail, handler, setup_django


def _count(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a positive whole number")
    return value


@command("demo", "Load demo data (merchants, staff, tickets with conversations); print the logins.")
def _demo_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tickets", type=_count, default=60, help="how many tickets (default 60; above 2,000 bulk)"
    )
    parser.add_argument(
        "--if-empty", action="store_true", help="do nothing if any merchant exists already"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--no-migrate", action="store_true", help="do not migrate first")


@handler("demo")
def _demo(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command
    from tqdm import tqdm

    from helpline.core.errors import HelplineError
    from helpline.demo import loader as demo

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if args.if_empty and demo.present():
        sys.stdout.write("demo data present\n")
        return 0
    started = time.perf_counter()
    with tqdm(total=args.tickets, unit="ticket", file=sys.stderr, desc="demo") as bar:
        try:
            result = demo.load(tickets=args.tickets, seed=args.seed, progress=bar.update)
        except HelplineError as exc:
            return fail(exc.detail, 1)
    seconds = time.perf_counter() - started
    out = sys.stdout
    out.write(
        f"Demo data loaded in {seconds:.1f} s: {result.tickets:,} tickets, "
        f"{result.messages:,} messages, {result.events:,} events.\n\n"
        "Demo logins (demo data: these passwords and tokens are printed on purpose):\n"
    )
    width = max(len(login.email) for login in result.logins)
    for login in result.logins:
        out.write(f"  {login.role:<16} {login.name:<16} {login.email:<{width}}  {login.password}\n")
    out.write("\nAPI tokens (Authorization: Bearer <token>):\n")
    for login in result.logins:
        out.write(f"  {login.email:<{width}}  {login.token}\n")
    return 0
