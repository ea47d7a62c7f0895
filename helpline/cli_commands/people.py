"""helpline user create / token create."""

from __future__ import annotations

import argparse
import getpass
import sys

from helpline.cli_commands.registry import command, fail, handler, setup_django


@command("user", "Users: helpline user create EMAIL --role ROLE [--merchant SLUG] [--password …]")
def _user_args(parser: argparse.ArgumentParser) -> None:
    subs = parser.add_subparsers(dest="user_command", metavar="SUBCOMMAND")
    subs.required = True
    create = subs.add_parser("create", help="Create a user.")
    create.add_argument("email")
    create.add_argument(
        "--role", required=True, help="merchant, agent, account_manager, engineer or admin"
    )
    create.add_argument("--merchant", help="the merchant's slug (merchant users)")
    create.add_argument("--password", help="asked for when omitted on a terminal")
    create.add_argument("--first-name", default="")
    create.add_argument("--last-name", default="")


def _ask_password() -> str | None:
    """Prompt only on a terminal; with no terminal the user gets no usable password."""
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Password (empty: none): ")
    if not first:
        return None
    if getpass.getpass("Again: ") != first:
        raise ValueError("the passwords differ")
    return first


@handler("user")
def _user(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.accounts import services
    from helpline.core.errors import HelplineError
    from helpline.merchants import selectors

    try:
        merchant = selectors.merchant_by_slug(args.merchant) if args.merchant else None
        password = args.password if args.password is not None else _ask_password()
        user = services.user_create(
            email=args.email,
            role=args.role,
            merchant_id=merchant.pk if merchant else None,
            password=password,
            first_name=args.first_name,
            last_name=args.last_name,
        )
    except HelplineError as exc:
        return fail(exc.detail)
    except ValueError as exc:
        return fail(str(exc))
    sys.stdout.write(f"user {user.pk} {user.email} ({user.role})\n")
    return 0


@command("token", "API tokens: helpline token create EMAIL (prints the token alone).")
def _token_args(parser: argparse.ArgumentParser) -> None:
    subs = parser.add_subparsers(dest="token_command", metavar="SUBCOMMAND")
    subs.required = True
    create = subs.add_parser("create", help="Create a token (shown once).")
    create.add_argument("email")
    create.add_argument("--name", default="cli")
    create.add_argument(
        "--read-only", action="store_true", help="reads only: any write with it answers 403"
    )


@handler("token")
def _token(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.accounts import selectors, services
    from helpline.core.errors import HelplineError

    try:
        user = selectors.user_by_email(args.email)
    except HelplineError as exc:
        return fail(exc.detail)
    _, raw = services.token_create(user=user, name=args.name, read_only=args.read_only)
    sys.stdout.write(raw + "\n")
    return 0
