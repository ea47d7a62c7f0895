"""The day the platform goes down (issue 18): a storm against the real server and worker.

Run: .venv/bin/python bench/storm.py [--stores 10000] [--mails 5000] [--portal 500]
         [--minutes 10] [--clients 200] [--smtp-down 120] [--postgres]

On loopback, each in its own process: `helpline serve` (the pages, the API, the inbound mail
endpoint), `helpline worker` (probes, sweeps, the outbox), a store server (aiohttp: one path per
store, /control for the control target), and an SMTP server (aiosmtpd) that writes every mail it
accepts to a file. SQLite in a fresh data directory by default; --postgres runs a PostgreSQL
cluster of its own (initdb as the postgres user, a free port, inside the data directory), so
that restarting it mid-storm touches nobody else's database.

1. N merchants, each with a user (a contact) and a store whose monitor points at the store
   server; the on-call agent covers the whole run. The worker probes until every store is up;
   the worker's CPU over the next 60 s of steady probing is the probe cost ("probe CPU").
2. The storm: the store server answers 503 for every store (the control target still 200).
   Over --minutes: --mails "System Down" mails from the merchants' users through the inbound
   endpoint, --portal C1 tickets through the API, /status/ fetched by --clients concurrent
   clients in bursts (p95), and two agents refreshing the console's queue every 2 s (p95).
3. Faults in the middle: the worker SIGKILLed and restarted (at 30 % of the storm), the SMTP
   server down for --smtp-down seconds (from 40 %), PostgreSQL restarted (at 50 %, with
   --postgres).
4. Recovery: the store server answers 200 again; the run waits until the incident resolved, its
   updates were posted and the outbox is empty (or 5 minutes passed), then prints the table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HELPLINE = [sys.executable, "-c", "import sys; from helpline.cli import main; sys.exit(main())"]
PG_NAME = "helpline_bench_storm"
MTA = "mx.storm.bench"
SECRET = "storm-bench-inbound"  # noqa: S105 - the bench's own loopback server

STORE_SERVER = r"""
import sys
from aiohttp import web

state = {"status": 200}

async def store(request):
    return web.Response(status=state["status"], text="<html><body>Welcome</body></html>")

async def control(request):
    return web.Response(text="ok")

async def switch(request):
    state["status"] = int(request.match_info["code"])
    return web.Response(text="switched")

app = web.Application()
app.router.add_get("/control", control)
app.router.add_post("/__status/{code}", switch)
app.router.add_get("/{tail:.*}", store)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, backlog=4096,
            access_log=None)
"""

SMTP_SERVER = r"""
import json, sys, time, email
from email import policy
from aiosmtpd.controller import Controller

out = open(sys.argv[2], "a", buffering=1)

class Sink:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        out.write(json.dumps({
            "t": time.time(),
            "to": list(envelope.rcpt_tos),
            "subject": str(msg.get("Subject", "")),
            "key": str(msg.get("X-Helpline-Idempotency-Key", "")),
            "in_reply_to": str(msg.get("In-Reply-To", "")),
        }) + "\n")
        return "250 OK"

c = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
try:
    while True:
        time.sleep(3600)
finally:
    c.stop()
"""


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class OwnPostgres:
    """A PostgreSQL cluster of the bench's own (initdb in a temporary directory, a free port,
    run as the postgres user): restarting it mid-storm disturbs nobody else's database."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "pg"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{PG_NAME}"

    def _as_postgres(self, *argv: str) -> None:
        subprocess.run(  # noqa: S603 - the PostgreSQL tools, our arguments
            ["runuser", "-u", "postgres", "--", *argv],  # noqa: S607
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.dir.parent.chmod(0o711)  # mkdtemp's 0700: the postgres user must reach its own
        self.dir.mkdir()
        shutil.chown(self.dir, "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.dir / "db"), "-A", "trust", "-U", "postgres"
        )
        self.ctl("start")
        self._as_postgres(
            str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), PG_NAME
        )

    def ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c max_connections=200"
        log = str(self.dir / "server.log")
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "db"), "-l", log, "-w", "-m", "fast",
            "-o", options, action,
        )  # fmt: skip

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.ctl("stop")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, what: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{what} did not start on port {port}")


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its threads, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data = Path(tempfile.mkdtemp(prefix="storm-"))
        self.env = dict(os.environ)
        self.web_port, self.store_port, self.smtp_port = free_port(), free_port(), free_port()
        self.smtp_log = self.data / "smtp.jsonl"
        self.env.update(
            HELPLINE_DATA_DIR=str(self.data),
            HELPLINE_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            HELPLINE_BASE_URL=f"http://127.0.0.1:{self.web_port}",
            HELPLINE_EMAIL_URL=f"smtp://127.0.0.1:{self.smtp_port}",
            HELPLINE_MONITOR_ALLOW_LOOPBACK="1",
            HELPLINE_MONITOR_CONTROL_URL=f"http://127.0.0.1:{self.store_port}/control",
            HELPLINE_MAIL_INBOUND_SECRET=SECRET,
            # The provider's MTA checked each sender (DMARC) and says so in a header we trust,
            # as in production (HELPLINE_MAIL_SENDER_AUTH=require, the default).
            HELPLINE_MAIL_AUTHSERV_IDS=MTA,
            PYTHONUNBUFFERED="1",
        )
        self.pg = OwnPostgres(self.data) if args.postgres else None
        if self.pg is not None:
            self.env["DATABASE_URL"] = self.pg.url
        else:
            self.env.pop("DATABASE_URL", None)
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.events: list[tuple[float, str]] = []
        self.attempted: set[str] = set()

    # ------------------------------------------------------------ processes

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.data / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(  # noqa: S603 - our own programs
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.procs[name] = proc
        return proc

    def start_smtp(self) -> None:
        self.start(
            "smtp", [sys.executable, "-c", SMTP_SERVER, str(self.smtp_port), str(self.smtp_log)]
        )
        wait_port(self.smtp_port, "the SMTP server")

    def start_worker(self) -> None:
        self.start("worker", [*HELPLINE, "worker"])

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.pg is not None:
            self.pg.stop()

    def note(self, what: str) -> None:
        self.events.append((time.time(), what))
        print(f"  {time.strftime('%H:%M:%S')} {what}", flush=True)

    # ------------------------------------------------------------ data

    def prepare(self) -> None:
        if self.pg is not None:
            self.pg.start()
        os.environ.update(self.env)
        if not self.args.postgres:
            os.environ.pop("DATABASE_URL", None)
        subprocess.run(  # noqa: S603 - our own CLI
            [*HELPLINE, "migrate"], check=True, cwd=ROOT, env=self.env, capture_output=True
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
        import django

        django.setup()
        from helpline.accounts import services as accounts
        from helpline.merchants import services as merchants
        from helpline.monitoring import services as monitoring
        from helpline.outbox.models import OnCallOverride

        now = datetime.now(UTC)
        agent = accounts.user_create(email="oncall@helpline.bench", role="agent", first_name="On")
        accounts.team_create(name="Support", lead=agent, members=[agent])
        OnCallOverride.objects.create(
            user=agent, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)
        )
        from django.conf import settings
        from django.test import Client

        browser = Client()
        browser.force_login(agent)  # the agent's session, as a sign-in would leave it
        self.agent_cookie = (
            f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        self.tokens: list[tuple[str, int]] = []
        started = time.perf_counter()
        for n in range(self.args.stores):
            merchant = merchants.merchant_create(name=f"Shop {n}", slug=f"shop-{n}", now=now)
            user = accounts.user_create(
                email=self.sender(n), role="merchant", merchant_id=merchant.pk
            )
            store = merchants.store_create(
                merchant=merchant, name=f"Store {n}", url=f"https://s{n}.bench.test", now=now
            )
            monitoring.monitor_create(
                store=store, url=f"http://127.0.0.1:{self.store_port}/s{n}", now=now
            )
            if n < self.args.portal:
                self.tokens.append((accounts.token_create(user=user, now=now)[1], store.pk))
        from django.db import connections

        connections.close_all()
        print(
            f"data: {self.args.stores:,} merchants, stores, monitors in "
            f"{time.perf_counter() - started:.0f} s"
        )

    @staticmethod
    def sender(n: int) -> str:
        return f"owner{n}@shop{n}.bench.test"

    # ------------------------------------------------------------ the scenario

    def monitors_up(self) -> int:
        from helpline.monitoring.models import Monitor

        return Monitor.objects.filter(state="up").count()

    def switch_stores(self, code: int) -> None:
        import urllib.request

        req = urllib.request.Request(
            f"http://127.0.0.1:{self.store_port}/__status/{code}", method="POST"
        )
        urllib.request.urlopen(req, timeout=10).read()  # noqa: S310 - loopback

    def go(self) -> dict[str, Any]:
        args = self.args
        self.start("stores", [sys.executable, "-c", STORE_SERVER, str(self.store_port)])
        wait_port(self.store_port, "the store server")
        self.start_smtp()
        self.start("web", [*HELPLINE, "serve", "--port", str(self.web_port), "--no-migrate"])
        wait_port(self.web_port, "helpline serve", 120)
        self.start_worker()
        end = time.monotonic() + 600
        while self.monitors_up() < args.stores and time.monotonic() < end:
            time.sleep(2)
        self.note(f"{self.monitors_up():,} of {args.stores:,} stores up")
        c0, t0 = proc_cpu(self.procs["worker"].pid), time.monotonic()
        time.sleep(60)
        probe_cpu = (proc_cpu(self.procs["worker"].pid) - c0) / (time.monotonic() - t0)
        self.note(f"steady probing: {probe_cpu:.1%} of one core")

        storm_s = args.minutes * 60
        self.switch_stores(503)
        start = time.time()
        self.note("storm: every store answers 503")
        sent: dict[str, float] = {}
        portal: dict[str, Any] = {"ok": 0}
        status: list[float] = []
        status_errors = [0]
        console: list[float] = []
        console_errors = [0]
        faults = threading.Thread(target=self.faults, args=(start, storm_s), daemon=True)
        faults.start()
        asyncio.run(
            self.load(start, storm_s, sent, portal, status, status_errors, console, console_errors)
        )
        faults.join()
        from django.db import connections

        connections.close_all()  # the bench's own connection did not live through a restart
        self.switch_stores(200)
        recovered = time.time()
        self.note("recovery: every store answers 200")
        self.wait_quiet(recovered)
        return self.figures(
            probe_cpu=probe_cpu,
            sent=sent,
            portal=portal,
            status=status,
            status_errors=status_errors[0],
            console=console,
            console_errors=console_errors[0],
            start=start,
        )

    def faults(self, start: float, storm_s: float) -> None:
        def at(share: float) -> None:
            time.sleep(max(0.0, start + share * storm_s - time.time()))

        at(0.3)
        self.procs["worker"].send_signal(signal.SIGKILL)
        self.procs["worker"].wait()
        self.note("fault: worker SIGKILLed")
        self.start_worker()
        self.note("worker restarted")
        at(0.4)
        self.procs["smtp"].kill()
        self.procs["smtp"].wait()
        self.smtp_down = (time.time(), time.time() + self.args.smtp_down)
        self.note(f"fault: SMTP server down for {self.args.smtp_down} s")
        if self.pg is not None:
            at(0.5)
            self.pg.ctl("restart")
            self.note("fault: PostgreSQL restarted")
        time.sleep(max(0.0, self.smtp_down[1] - time.time()))
        self.start_smtp()
        self.smtp_down = (self.smtp_down[0], time.time())
        self.note("SMTP server back")

    async def load(
        self,
        start: float,
        storm_s: float,
        sent: dict[str, float],
        portal: dict[str, Any],
        status: list[float],
        status_errors: list[int],
        console: list[float],
        console_errors: list[int],
    ) -> None:
        import aiohttp

        base = f"http://127.0.0.1:{self.web_port}"
        rng = random.Random(18)
        senders = rng.sample(range(self.args.stores), min(self.args.mails, self.args.stores))
        senders += [rng.randrange(self.args.stores) for _ in range(self.args.mails - len(senders))]
        conn = aiohttp.TCPConnector(limit=self.args.clients + 50)
        timeout = aiohttp.ClientTimeout(total=60)
        anonymous = aiohttp.ClientSession(  # status readers: no cookie, like a first visit
            connector=aiohttp.TCPConnector(limit=self.args.clients),
            timeout=timeout,
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        async with anonymous, aiohttp.ClientSession(connector=conn, timeout=timeout) as session:

            async def one_mail(i: int, n: int) -> None:
                await asyncio.sleep(max(0.0, start + storm_s * i / self.args.mails - time.time()))
                msg = EmailMessage()
                msg["Authentication-Results"] = f"{MTA}; dmarc=pass header.from=shop{n}.bench.test"
                msg["From"] = self.sender(n)
                msg["To"] = "support@helpline.bench"
                msg["Subject"] = f"System Down: store {n} cannot take orders"
                msg["Date"] = format_datetime(datetime.now(UTC))
                msg["Message-ID"] = make_msgid(domain=f"shop{n}.bench.test")
                msg.set_content("Our store is down, customers cannot buy anything.\n")
                self.attempted.add(str(msg["Message-ID"]).strip("<>"))
                for attempt in range(5):  # a provider retries what was not accepted
                    try:
                        async with session.post(
                            f"{base}/api/v1/mail/inbound",
                            data=msg.as_bytes(),
                            headers={"X-Helpline-Inbound-Secret": SECRET},
                        ) as resp:
                            if resp.status == 200:
                                sent[str(msg["Message-ID"]).strip("<>")] = time.time()
                                return
                    except (TimeoutError, aiohttp.ClientError):
                        pass
                    await asyncio.sleep(2 * (attempt + 1))

            async def one_ticket(i: int) -> None:
                token, store = self.tokens[i]
                await asyncio.sleep(
                    max(0.0, start + storm_s * (i + 0.5) / max(1, len(self.tokens)) - time.time())
                )
                body = {
                    "store": store,
                    "subject": "Checkout is down",
                    "description": "Nobody can pay.",
                    "issue_type": "functionality",
                    "priority": "C1",
                }
                try:
                    async with session.post(
                        f"{base}/api/v1/tickets",
                        json=body,
                        headers={"Authorization": f"Bearer {token}"},
                    ) as resp:
                        answer = "ok" if resp.status == 201 else f"http {resp.status}"
                except (TimeoutError, aiohttp.ClientError) as exc:
                    answer = type(exc).__name__
                portal[answer] = portal.get(answer, 0) + 1

            async def status_burst() -> None:
                async def client() -> None:
                    for _ in range(3):  # 600 a burst: one address' page limit is 1,200/min
                        t0 = time.perf_counter()
                        try:
                            async with anonymous.get(f"{base}/status/") as resp:
                                await resp.read()
                                if resp.status != 200:
                                    status_errors[0] += 1
                                    continue
                        except (TimeoutError, aiohttp.ClientError):
                            status_errors[0] += 1
                            continue
                        status.append((time.perf_counter() - t0) * 1000)

                await asyncio.gather(*(client() for _ in range(self.args.clients)))

            async def console_load() -> None:
                """Two agents keep the console open: the queue's refresh every 2 s each."""

                async def agent(offset: float) -> None:
                    await asyncio.sleep(offset)
                    while time.time() < start + storm_s:
                        t0 = time.perf_counter()
                        try:
                            async with session.get(
                                f"{base}/console/?q=open", headers={"Cookie": self.agent_cookie}
                            ) as resp:
                                await resp.read()
                                ok = resp.status == 200
                        except (TimeoutError, aiohttp.ClientError):
                            ok = False
                        if ok:
                            console.append((time.perf_counter() - t0) * 1000)
                        else:
                            console_errors[0] += 1
                        await asyncio.sleep(2)

                await asyncio.gather(agent(0), agent(1))

            async def status_load() -> None:
                for share in (0.15, 0.45, 0.75):
                    await asyncio.sleep(max(0.0, start + share * storm_s - time.time()))
                    await status_burst()

            await asyncio.gather(
                *(one_mail(i, n) for i, n in enumerate(senders)),
                *(one_ticket(i) for i in range(len(self.tokens))),
                status_load(),
                console_load(),
                return_exceptions=True,  # one client's bug must not end the run
            )

    def wait_quiet(self, recovered: float) -> None:
        from helpline.monitoring.models import IncidentTicket, PlatformIncident
        from helpline.outbox.models import Outbox

        end = time.monotonic() + 300
        while time.monotonic() < end:
            open_incidents = PlatformIncident.objects.filter(resolved_at__isnull=True).count()
            waiting = IncidentTicket.objects.filter(updated_at__isnull=True).count()
            # Every row sent, however far its retry was put off (a held page falls due later).
            left = Outbox.objects.filter(
                state__in=["pending", "sending"],
                due_at__lte=datetime.now(UTC) + timedelta(minutes=5),
            ).count()
            if not open_incidents and not waiting and not left:
                break
            time.sleep(3)
        self.note(f"quiet {time.time() - recovered:.0f} s after the recovery")

    # ------------------------------------------------------------ the table

    def figures(self, **m: Any) -> dict[str, Any]:
        from helpline.mail.models import InboundMail
        from helpline.monitoring.models import IncidentTicket, PlatformIncident
        from helpline.notifications.paging import PLATFORM_INCIDENT
        from helpline.outbox.models import Outbox
        from helpline.tickets.models import Ticket, TicketMessage

        sent: dict[str, float] = m["sent"]
        linked = set(IncidentTicket.objects.values_list("ticket_id", flat=True))
        store_down = set(
            Ticket.objects.filter(issue_type="store-down").values_list("pk", flat=True)
        )
        inbound = {
            i.message_id.strip("<>"): i
            for i in InboundMail.objects.filter(source="http").only("message_id", "ticket_id")
        }
        mail_tickets = {i.ticket_id for k, i in inbound.items() if k in sent and i.ticket_id}
        c1_mail = set(
            Ticket.objects.filter(pk__in=mail_tickets, priority="C1").values_list("pk", flat=True)
        )
        lost = [k for k in sent if k not in inbound or inbound[k].ticket_id is None]
        refused = [k for k in self.attempted - set(sent) if k not in inbound]
        per_store = (
            Ticket.objects.filter(issue_type="store-down").values("store_id").distinct().count()
        )
        dup_store = len(store_down) - per_store
        portal_tickets = Ticket.objects.filter(channel="api", priority="C1").count()
        smtp = [json.loads(line) for line in self.smtp_log.read_text().splitlines() if line]
        keys: dict[str, int] = {}
        for row in smtp:
            keys[row["key"]] = keys.get(row["key"], 0) + 1
        repeated = sum(c - 1 for k, c in keys.items() if k and c > 1)
        first_ack: dict[str, float] = {}
        for row in smtp:
            ref = row["in_reply_to"].strip().strip("<>")
            if ref in sent and ref not in first_ack:
                first_ack[ref] = row["t"]
        down_from, down_to = getattr(self, "smtp_down", (0.0, 0.0))
        normal = [
            first_ack[k] - t
            for k, t in sent.items()
            if k in first_ack and not down_from - 60 <= t <= down_to
        ]
        caught_up = [
            first_ack[k] - down_to
            for k, t in sent.items()
            if k in first_ack and down_from - 60 <= t <= down_to
        ]
        pages_on_call = [r for r in smtp if "oncall@helpline.bench" in r["to"]]
        page_rows = Outbox.objects.filter(kind=PLATFORM_INCIDENT).count()
        own = [r for r in pages_on_call if "we have your ticket" in r["subject"]]
        store_pages = f"{len(own)} ({sum('Store down' in r['subject'] for r in own)} store down)"
        answers = ", ".join(f"{k} {v}" for k, v in sorted(m["portal"].items()))
        incident = PlatformIncident.objects.order_by("pk").first()
        opened = "-"
        if incident is not None and incident.paged_at is not None:
            opened = (
                f"{incident.paged_at.timestamp() - m['start']:.0f} / "
                f"{incident.started_at.timestamp() - m['start']:.0f}"
            )
        repeats: dict[str, int] = {}
        for row in smtp:
            if keys.get(row["key"], 0) > 1:
                kind = f"{row['subject'].split('—')[0].strip()[-28:]} @{row['t'] - m['start']:.0f}s"
                repeats[kind] = repeats.get(kind, 0) + 1
        self.repeats = sorted(repeats.items(), key=lambda kv: -kv[1])[:12]
        page_mails = sum(1 for r in pages_on_call if r["subject"].startswith("Platform incident"))
        updates = TicketMessage.objects.filter(
            ticket_id__in=linked, from_staff=True, internal=False
        ).count()
        return {
            "engine": "PostgreSQL" if self.args.postgres else "SQLite",
            "stores": self.args.stores,
            "mails sent": len(sent),
            "platform incidents": PlatformIncident.objects.count(),
            "store-down tickets": len(store_down),
            "linked store-down %": 100 * len(store_down & linked) / max(1, len(store_down)),
            "C1 mail tickets": len(c1_mail),
            "linked C1 mails %": 100 * len(c1_mail & linked) / max(1, len(c1_mail)),
            "portal C1 tickets (answers)": f"{portal_tickets} of {len(self.tokens)} ({answers})",
            "incident opened / began (s after the storm)": opened,
            "incident pages (outbox rows / mails to on-call)": f"{page_rows} / {page_mails}",
            "per-ticket pages to on-call (store down)": store_pages,
            "lost mails (accepted, no ticket)": len(lost),
            "mails never accepted (client gave up after 5 tries)": len(refused),
            "duplicate store-down tickets": dup_store,
            "duplicate mail tickets": Ticket.objects.filter(channel="email").count()
            - len({i.ticket_id for i in inbound.values() if i.ticket_id}),
            "repeated deliveries (same key)": repeated,
            "updates posted / linked tickets": f"{updates} / {len(linked)}",
            "ack p99 (s, outside SMTP outage)": round(pct(normal, 0.99), 1),
            "acks missing": len([k for k in sent if k not in first_ack]),
            "SMTP outage: last ack after its end (s)": round(max(caught_up), 1)
            if caught_up
            else "-",
            "/status/ p95 ms (200 clients)": round(pct(m["status"], 0.95), 1),
            "/status/ p50 ms": round(pct(m["status"], 0.5), 1),
            "/status/ errors": m["status_errors"],
            "console queue p95 ms (2 agents, every 2 s)": round(pct(m["console"], 0.95), 1),
            "console queue p50 ms / errors": f"{pct(m['console'], 0.5):.1f} / "
            f"{m['console_errors']}",
            "probe CPU (share of one core, steady)": f"{m['probe_cpu']:.1%}",
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=10_000)
    parser.add_argument("--mails", type=int, default=5_000)
    parser.add_argument("--portal", type=int, default=500)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--smtp-down", type=float, default=120)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the data and the logs")
    args = parser.parse_args()
    args.portal = min(args.portal, args.stores)
    run = Run(args)
    try:
        run.prepare()
        figures = run.go()
    finally:
        run.stop_all()
    goals = {
        "platform incidents": "1",
        "linked store-down %": "100",
        "linked C1 mails %": "100",
        "incident pages (outbox rows / mails to on-call)": "1 / 1",
        "per-ticket pages to on-call (store down)": "0",
        "lost mails (accepted, no ticket)": "0",
        "duplicate store-down tickets": "0",
        "duplicate mail tickets": "0",
        "repeated deliveries (same key)": "≤ 1",
        "ack p99 (s, outside SMTP outage)": "< 60",
        "SMTP outage: last ack after its end (s)": "< 60",
        "/status/ p95 ms (200 clients)": "< 50",
        "console queue p95 ms (2 agents, every 2 s)": "< 100",
        "probe CPU (share of one core, steady)": f"< {25 * args.stores / 10_000:.1f} %",
    }
    print(f"\n{'figure':52} {'measured':>28} {'goal':>10}")
    for name, value in figures.items():
        print(f"{name:52} {value!s:>28} {goals.get(name, ''):>10}")
    print("\nrepeated deliveries by kind:", run.repeats or "none")
    print(
        "\nevents:",
        "; ".join(f"{time.strftime('%H:%M:%S', time.localtime(t))} {w}" for t, w in run.events),
    )
    if args.keep:
        print(f"data and logs kept in {run.data}")
    else:
        shutil.rmtree(run.data, ignore_errors=True)


if __name__ == "__main__":
    main()
