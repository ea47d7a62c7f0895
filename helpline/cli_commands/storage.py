"""helpline storage migrate --to s3|local: move the attachments' files between the data
directory and the bucket of HELPLINE_STORAGE_URL (decision 0155). Resumable: run it again and
what is already there is skipped."""

from __future__ import annotations

import argparse
import sys

from helpline.cli_commands.registry import command, fail, handler, setup_django


@command("storage", "Files in object storage: move them between the data directory and S3.")
def _storage_args(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    migrate = sub.add_parser(
        "migrate",
        help="copy every attachment to the data directory or to HELPLINE_STORAGE_URL's bucket",
    )
    migrate.add_argument("--to", required=True, choices=["s3", "local"])


@handler("storage")
def _storage(args: argparse.Namespace) -> int:
    setup_django()
    from helpline.core import storage
    from helpline.core.config import ConfigError
    from helpline.tickets.attachments import attachments_copy

    try:
        bucket = storage.bucket()
    except ConfigError as exc:
        return fail(str(exc))
    source, dest = (storage.local(), bucket) if args.to == "s3" else (bucket, storage.local())
    try:
        report = attachments_copy(source=source, dest=dest)
    except storage.storage_errors() as exc:
        return fail(f"file storage did not answer ({type(exc).__name__}); run again to resume")
    where = "the bucket" if args.to == "s3" else "the data directory"
    sys.stdout.write(
        f"copied {report.copied}, already in {where} {report.already}, "
        f"missing at the source {len(report.missing)}, damaged {len(report.corrupt)}\n"
    )
    for name in report.missing:
        sys.stdout.write(f"missing: {name}\n")
    for name in report.corrupt:
        sys.stdout.write(f"damaged (checksum differs, not copied): {name}\n")
    if args.to == "s3":
        sys.stdout.write("next: keep HELPLINE_STORAGE_URL set on every node and restart them\n")
    else:
        sys.stdout.write("next: unset HELPLINE_STORAGE_URL on every node and restart them\n")
    return 1 if report.missing or report.corrupt else 0
