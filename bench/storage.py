"""A 10 MB attachment uploaded and downloaded through S3, beside the same through the local disk,
in one run (issue 19's goal: S3 within 1.5× of the disk).

Run: .venv/bin/python bench/storage.py [--rounds 10] [--mb 10] [--rclone-defaults]

One process, a fresh SQLite data directory, a merchant user. Upload: the support center's form
(POST /support/new/ with one file, through Django's test client: the multipart parse, the ticket
service, ``attachments_store``, the storage). Download: GET /attachments/<id>/ read to the end
(the access checks, the storage's open, the streamed response). The S3 server is a real
``rclone serve s3`` on loopback over a temporary directory (the disk under it is the same disk
as the local case's), with the tests' flags that spare it the hashing a bucket does not do
(``s3server.TUNED``); ``--rclone-defaults`` adds a row through a second server without them.
Each case keeps one storage object for the run, as a web process does. Rounds alternate the
cases so that a busy neighbour weighs on all; the median of each, and the ratio to the local
disk, are printed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ["HELPLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="helpline-bench-storage-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpline.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def scene() -> tuple[object, int]:
    from helpline.accounts import services as accounts
    from helpline.merchants import services as merchants

    now = datetime.now(UTC)
    merchant = merchants.merchant_create(name="Bench", slug="bench", now=now)
    store = merchants.store_create(
        merchant=merchant, name="Bench store", url="https://bench.example.test", now=now
    )
    user = accounts.user_create(email="bench@bench.test", role="merchant", merchant_id=merchant.pk)
    return user, store.pk


def one_round(client: object, store_id: int, data: bytes) -> tuple[float, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from helpline.tickets.models import Attachment

    form = {
        "store": store_id,
        "issue_type": "functionality",
        "priority": "C3",
        "subject": "Logs",
        "description": "The full log.",
        "files": [SimpleUploadedFile("big.log", data, "text/plain")],
    }
    started = time.perf_counter()
    response = client.post("/support/new/", form)  # type: ignore[attr-defined]
    upload = time.perf_counter() - started
    assert response.status_code == 302, response.content[:500]
    row = Attachment.objects.order_by("-pk").first()
    assert row is not None and row.size == len(data)
    started = time.perf_counter()
    response = client.get(f"/attachments/{row.pk}/")  # type: ignore[attr-defined]
    body = b"".join(response.streaming_content)
    download = time.perf_counter() - started
    assert body == data
    return upload, download


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument(
        "--rclone-defaults",
        action="store_true",
        help="a third row: the same through rclone without the tests' flags (decision 0196)",
    )
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.test import Client
    from storages.backends.s3 import S3Storage

    from helpline.core import storage
    from helpline.core.tests.s3server import S3Server

    settings.ATTACHMENT_MAX_BYTES = args.mb * 1024 * 1024
    user, store_id = scene()
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    data = os.urandom(args.mb * 1024 * 1024)
    servers = [S3Server()] + ([S3Server(tuned=False)] if args.rclone_defaults else [])
    for server in servers:
        server.start()
    # One storage object per case for the whole run, as a web process keeps its one default
    # storage: switching with override_settings made Django build a new S3Storage (a new boto3
    # session and client, ~200 ms) for every round, which no served request pays.
    from helpline.tickets.models import Attachment

    field = Attachment._meta.get_field("file")
    cases = {
        "local disk": storage.local(),
        "S3 (rclone serve s3)": S3Storage(**servers[0].options()),
    }
    if args.rclone_defaults:
        cases["S3, rclone defaults"] = S3Storage(**servers[1].options())
    times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in cases}
    try:
        for warm in (True, False):
            for _ in range(2 if warm else args.rounds):
                for name, backend in cases.items():
                    field.storage = backend
                    up, down = one_round(client, store_id, data)
                    if not warm:
                        times[name][0].append(up)
                        times[name][1].append(down)
    finally:
        for server in servers:
            server.close()
    print(f"# {args.mb} MB attachment, {args.rounds} rounds (after 2 not counted), medians")
    print(f"# {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    base_up = statistics.median(times["local disk"][0])
    base_down = statistics.median(times["local disk"][1])
    head = ("storage", "upload ms", "download ms", "× disk up", "× disk down")
    print(f"{head[0]:<22} {head[1]:>10} {head[2]:>12} {head[3]:>10} {head[4]:>12}")
    for name, (ups, downs) in times.items():
        up, down = statistics.median(ups), statistics.median(downs)
        print(
            f"{name:<22} {up * 1000:>10.1f} {down * 1000:>12.1f} "
            f"{up / base_up:>10.2f} {down / base_down:>12.2f}"
        )


if __name__ == "__main__":
    main()
