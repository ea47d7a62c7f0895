"""What proving a sender costs a mail: ``mail_ingest`` of a contact's mail with the check off
(the baseline: the From header trusted), and with it on for an unsigned mail a trusted MTA
vouches for, an RSA-signed and an ed25519-signed one (keys and DMARC on a DNS server on
loopback, as the tests run it), side by side in one run; and ``senderauth.check`` alone.

Run: .venv/bin/python bench/mail_senderauth.py [--messages 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ["HELPLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="helpline-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    os.environ["HELPLINE_MAIL_AUTHSERV_IDS"] = "mx.helpline.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300, help="messages per kind")
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.test.utils import override_settings

    from helpline.accounts import services as accounts
    from helpline.mail import senderauth
    from helpline.mail.services import mail_ingest
    from helpline.mail.tests.dnsserver import DnsServer
    from helpline.mail.tests.pipeline.mails import mail
    from helpline.mail.tests.signing import ed25519_key, publish, rsa_key, sign
    from helpline.merchants import services as merchants

    dns = DnsServer()
    dns.start()
    settings.MAIL_DNS_SERVERS = dns.address
    publish(dns, "acme.test", rsa_key(), "rsa")
    publish(dns, "acme.test", ed25519_key(), "ed")
    dns.add("_dmarc.acme.test", "v=DMARC1; p=reject")
    t0 = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    merchant = merchants.merchant_create(name="Acme", slug="acme", now=t0)
    merchants.store_create(merchant=merchant, name="Acme Shoes", url="https://acme.test", now=t0)
    accounts.user_create(email="alice@acme.test", role="merchant", merchant_id=merchant.pk)
    settings.RATE_LIMITS = {"mail.domain": 10**9}

    keys = {"rsa": (rsa_key(), "rsa"), "ed25519": (ed25519_key(), "ed")}

    def raw(kind: str, n: int) -> bytes:
        one = mail(subject=f"Case {kind} {n}", authenticated=kind in ("off", "trusted"))
        if kind in keys:
            key, selector = keys[kind]
            return sign(one, "acme.test", key, selector=selector)
        return one

    kinds = ["off", "trusted", "rsa", "ed25519"]
    mails = {k: [raw(k, n) for n in range(args.messages)] for k in kinds}
    print(f"{args.messages} contact mails of each kind, one new ticket each; SQLite, one process")
    print(f"{'kind':<34} {'ingest median':>14} {'p95':>8} {'check alone':>12}  outcome")
    at = t0
    for kind in kinds:
        mode = "off" if kind == "off" else "require"
        took, checks, outcomes = [], [], set()
        with override_settings(MAIL_SENDER_AUTH=mode):
            for one in mails[kind]:
                at += timedelta(seconds=1)
                started = time.perf_counter()
                result = mail_ingest(one, source="cli", now=at)
                took.append((time.perf_counter() - started) * 1000)
                outcomes.add(result.outcome)
                if kind != "off":
                    started = time.perf_counter()
                    verdict = senderauth.check(one, "acme.test")
                    checks.append((time.perf_counter() - started) * 1000)
                    outcomes.add(verdict.result)
        label = {
            "off": "check off (baseline)",
            "trusted": "unsigned, trusted MTA's dmarc=pass",
            "rsa": "DKIM rsa-sha256 2048",
            "ed25519": "DKIM ed25519-sha256",
        }[kind]
        p95 = sorted(took)[int(0.95 * (len(took) - 1))]
        alone = f"{statistics.median(checks):.2f} ms" if checks else "—"
        print(
            f"{label:<34} {statistics.median(took):>11.2f} ms {p95:>5.1f} ms {alone:>12}  "
            f"{', '.join(sorted(outcomes))}"
        )
    dns.stop()


if __name__ == "__main__":
    main()
