"""helpline ledger SLUG --month YYYY-MM: a merchant's charges for the month as CSV:
account-manager subscriptions and approved quotes. Helpline records; the platform bills."""

from __future__ import annotations

import argparse
import json
import sys

from helpline.cli_commands.registry import command, handler, setup_django


@command("ledger", "A merchant's charges for a month (subscriptions, approved quotes), as CSV.")
def _ledger_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("merchant", help="the merchant's slug")
    parser.add_argument("--month", required=True, help="YYYY-MM, in the merchant's time zone")


@handler("ledger")
def _ledger(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.billing import ledger
    from helpline.core.errors import HelplineError
    from helpline.merchants.selectors import merchant_by_slug

    try:
        merchant = merchant_by_slug(args.merchant)
        month = ledger.parse_month(args.month)
        lines = ledger.ledger_of_stores(
            merchant=merchant, stores=list(merchant.stores.all()), month=month
        )
    except HelplineError as exc:
        sys.stderr.write(json.dumps({"detail": exc.detail, "code": exc.code}) + "\n")
        return 2
    sys.stdout.write(ledger.ledger_csv(lines))
    return 0
