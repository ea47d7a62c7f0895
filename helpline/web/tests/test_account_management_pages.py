"""The care pages: the permission matrix over every new page and form (merchant, agent, this
store's account manager, another store's, engineer, admin), the progress sheet's XLSX holding the
rows the page shows, invitations with an .ics delivered over real SMTP, and "with engineering" on
both sides."""

from __future__ import annotations

import email
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from helpline.account_management import services as am_services
from helpline.account_management.models import CallRequest, ContactLogEntry, SheetNote
from helpline.account_management.tests.world import NOW, PEOPLE, ROLES, World, world  # noqa: F401 (fixture)
from helpline.accounts.selectors import zone_for
from helpline.billing.models import Quote
from helpline.engineering.models import DevTicket
from helpline.outbox import delivery
from helpline.outbox.conftest import smtp  # noqa: F401 (fixture: SMTP on loopback)
from helpline.reports import progress_sheet
from helpline.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


def login(w: World, role: str) -> Client:
    client = Client()
    client.force_login(w.omar if role == "am_other" else getattr(w.cast, PEOPLE[role]))
    return client


def codes(*values: int) -> dict[str, int]:
    return dict(zip(ROLES, values, strict=True))


@dataclass(frozen=True)
class Page:
    path: Callable[[World], str]
    expected: dict[str, int]
    data: dict[str, Any] | Callable[[World], dict[str, Any]] | None = None  # a POST
    count: Callable[[], int] | None = None  # what a successful POST adds to
    ok: tuple[str, ...] = ()


def _shoes(w: World) -> int:
    return w.cast.acme_shoes.pk


PAGES: dict[str, Page] = {
    "am home": Page(lambda w: "/console/am/", codes(404, 403, 200, 200, 403, 200)),
    "store page": Page(
        lambda w: f"/console/stores/{_shoes(w)}/", codes(404, 200, 200, 404, 404, 200)
    ),
    "store sheet xlsx": Page(
        lambda w: f"/console/stores/{_shoes(w)}/sheet.xlsx", codes(404, 200, 200, 404, 404, 200)
    ),
    "store sheet csv": Page(
        lambda w: f"/console/stores/{_shoes(w)}/sheet.csv", codes(404, 200, 200, 404, 404, 200)
    ),
    "dev list": Page(lambda w: "/console/dev/", codes(404, 200, 200, 200, 200, 200)),
    "dev page": Page(lambda w: f"/console/dev/{w.dev.pk}/", codes(404, 200, 200, 404, 200, 200)),
    "console ticket": Page(
        lambda w: f"/console/t/{w.ticket.pk}/", codes(404, 200, 200, 404, 200, 200)
    ),
    "merchant account": Page(lambda w: "/support/account/", codes(200, 302, 302, 302, 302, 302)),
    "merchant sheet": Page(
        lambda w: f"/support/stores/{_shoes(w)}/sheet/", codes(200, 302, 302, 302, 302, 302)
    ),
    "merchant sheet xlsx": Page(
        lambda w: f"/support/stores/{_shoes(w)}/sheet.xlsx", codes(200, 302, 302, 302, 302, 302)
    ),
    "merchant ticket": Page(
        lambda w: f"/support/t/{w.ticket.pk}/", codes(200, 302, 302, 302, 302, 302)
    ),
    # forms
    "escalate": Page(
        lambda w: f"/console/t/{w.ticket.pk}/escalate/",
        codes(404, 302, 302, 404, 403, 302),
        data={"title": "Broken images"},
        count=lambda: DevTicket.objects.count(),
        ok=("agent", "am", "admin"),
    ),
    "attach quote": Page(
        lambda w: f"/console/t/{w.ticket.pk}/quote/",
        codes(404, 302, 302, 404, 403, 302),
        data={
            "amount_inr": "2500",
            "description": "Custom banner",
            "valid_until": (NOW + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
        count=lambda: Quote.objects.count(),
        ok=("agent", "am", "admin"),
    ),
    "log contact": Page(
        lambda w: f"/console/stores/{_shoes(w)}/log/",
        codes(404, 302, 302, 404, 404, 302),
        data={"do": "log", "channel": "call", "summary": "Called about images"},
        count=lambda: ContactLogEntry.objects.count(),
        ok=("agent", "am", "admin"),
    ),
    "sheet note": Page(
        lambda w: f"/console/stores/{_shoes(w)}/note/{w.ticket.pk}/",
        codes(404, 302, 302, 404, 404, 302),
        data={"note": "Fix due Friday"},
        count=lambda: SheetNote.objects.count(),
        ok=("agent", "am", "admin"),
    ),
    "dev status": Page(
        lambda w: f"/console/dev/{w.dev.pk}/",
        codes(404, 302, 302, 404, 302, 302),
        data={"status": "in_review"},
        count=lambda: DevTicket.objects.filter(status="in_review").count(),
        ok=("agent", "am", "engineer", "admin"),
    ),
    "raise for the merchant": Page(
        lambda w: f"/console/stores/{_shoes(w)}/raise/",
        codes(404, 302, 302, 404, 404, 302),
        data=lambda w: {
            "requester": w.cast.alice.pk,
            "issue_type": "functionality",
            "subject": "Raised in the call",
            "description": "Alice asked on the phone",
        },
        count=lambda: Ticket.objects.count(),
        ok=("agent", "am", "admin"),
    ),
    "request a call": Page(
        lambda w: f"/support/stores/{_shoes(w)}/call/",
        codes(302, 302, 302, 302, 302, 302),
        data={"preferred_times": "Tomorrow 11:00"},
        count=lambda: CallRequest.objects.count(),
        ok=("merchant",),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_permission_matrix(world: World, name: str, role: str) -> None:  # noqa: F811
    page = PAGES[name]
    client = login(world, role)
    before = page.count() if page.count else 0
    with time_machine.travel(NOW, tick=False):
        if page.data is None:
            response = client.get(page.path(world))
        else:
            data = page.data(world) if callable(page.data) else page.data
            response = client.post(page.path(world), data)
    assert response.status_code == page.expected[role], (name, role)
    if page.count is not None:
        assert (page.count() > before) == (role in page.ok), (name, role)


def test_the_xlsx_holds_the_rows_the_sheet_shows(world: World) -> None:  # noqa: F811
    cast = world.cast
    am_services.sheet_note_set(
        actor=cast.maya, ticket=world.ticket, note="=HYPERLINK(evil)", now=NOW
    )
    am_services.sheet_note_set(
        actor=cast.maya, ticket=world.other, note="Waiting for the merchant", now=NOW
    )
    client = login(world, "am")
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/console/stores/{cast.acme_shoes.pk}/")
        response = client.get(f"/console/stores/{cast.acme_shoes.pk}/sheet.xlsx")
        csv_text = client.get(f"/console/stores/{cast.acme_shoes.pk}/sheet.csv").content.decode()
    rows = page.context["rows"]
    assert len(rows) == 3 and {r.reference for r in rows} == {
        world.ticket.reference,
        world.other.reference,
        world.quoted.reference,
    }
    for row in rows:  # the page shows each row
        assert row.reference.encode() in page.content and row.next_step.encode() in page.content
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Progress"]
    values = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    zone = zone_for(cast.maya)
    assert values[0] == progress_sheet.headers(zone)
    assert values[0][2] == f"Opened ({zone})"
    expected = [[progress_sheet.cell(r, k, zone) for k, _ in progress_sheet.COLUMNS] for r in rows]
    expected = [[("'" + v) if v.startswith("=") else v for v in r] for r in expected]
    assert values[1:] == expected
    # A note that looks like a formula is text, not a formula.
    assert any(v == "'=HYPERLINK(evil)" for r in values for v in r)
    assert csv_text.splitlines()[0].startswith("Ticket,Subject,Opened")
    assert len(csv_text.splitlines()) == 4
    # The quoted ticket says the merchant acts; the linked one that engineering does.
    by_ref = {r.reference: r for r in rows}
    assert by_ref[world.quoted.reference].owner == "Merchant"
    assert by_ref[world.ticket.reference].next_step.startswith("Engineering works on it (DEV-")


def test_the_merchant_sees_the_sheet_read_only(world: World) -> None:  # noqa: F811
    am_services.sheet_note_set(
        actor=world.cast.maya, ticket=world.ticket, note="Engineering is on it", now=NOW
    )
    client = login(world, "merchant")
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/support/stores/{world.cast.acme_shoes.pk}/sheet/")
        xlsx = client.get(f"/support/stores/{world.cast.acme_shoes.pk}/sheet.xlsx")
    assert b"Engineering is on it" in page.content
    assert b"<form" not in page.content.split(b"<main")[1].split(b"</table>")[0]  # no editing
    assert b"DEV-" not in page.content  # developer tickets are internal
    sheet = load_workbook(io.BytesIO(xlsx.content))["Progress"]
    owners = {r[0]: r[8] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert owners[world.quoted.reference] == "You"
    assert owners[world.ticket.reference] == "Engineering"


def test_the_dashboard_shows_the_account_manager_and_takes_a_call_request(world) -> None:  # noqa: F811
    cast = world.cast
    cast.maya.whatsapp = "+91 98450 00000"
    cast.maya.save(update_fields=["whatsapp"])
    cast.team.members.add(cast.maya)
    client = login(world, "merchant")
    page = client.get("/support/account/").content.decode()
    assert "Maya" in page and "maya@helpline.test" in page and "+91 98450 00000" in page
    assert "Support (core team)" in page
    assert "No account manager" in page  # Acme Outlet has none
    client.post(
        f"/support/stores/{cast.acme_shoes.pk}/call/",
        {"preferred_times": "Thu 15:00–16:00", "topic": "New catalogue"},
    )
    # It lands on the account manager's list.
    home = login(world, "am").get("/console/am/").content.decode()
    assert "Thu 15:00–16:00" in home
    refused = client.post(f"/support/stores/{cast.acme_outlet.pk}/call/", {"preferred_times": "x"})
    assert refused.status_code == 302
    assert not CallRequest.objects.filter(store=cast.acme_outlet).exists()


def test_with_engineering_on_both_sides(world: World) -> None:  # noqa: F811
    staff = login(world, "agent").get(f"/console/t/{world.ticket.pk}/").content.decode()
    assert 'id="engineering-state">with engineering' in staff and world.dev.reference in staff
    merchant = login(world, "merchant").get(f"/support/t/{world.ticket.pk}/").content.decode()
    assert 'id="engineering-state">with engineering' in merchant
    assert world.dev.reference not in merchant


def test_a_training_invitation_reaches_the_merchant_with_an_ics(world, smtp) -> None:  # noqa: F811
    cast = world.cast
    client = login(world, "am")
    with time_machine.travel(NOW, tick=False):
        client.post(
            f"/console/stores/{cast.acme_shoes.pk}/log/",
            {
                "do": "meeting",
                "channel": "training",
                "starts_at": "2026-11-26T15:00",  # IST, the viewer's zone
                "minutes": "45",
                "link": "https://meet.example.test/acme",
                "summary": "Catalogue training; bring your product list",
                "attendees": "ops@acme.test",
                "tickets": world.ticket.reference,
            },
        )
    entry = ContactLogEntry.objects.get(channel="training")
    assert entry.happened_at.isoformat() == "2026-11-26T09:30:00+00:00"
    assert list(entry.tickets.all()) == [world.ticket]
    result = delivery.deliver_due(now=NOW + timedelta(minutes=1))
    assert result["done"] >= 2
    mails = [m for m in smtp.messages if "Invitation" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in mails) == ["alice@acme.test", "ops@acme.test"]
    parsed = email.message_from_bytes(mails[0].as_bytes())
    (ics,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    raw = ics.get_payload(decode=True)
    assert isinstance(raw, bytes)
    text = raw.decode()
    assert "BEGIN:VCALENDAR" in text and "METHOD:REQUEST" in text
    assert "DTSTART:20261126T093000Z" in text and "DTEND:20261126T101500Z" in text
    assert "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:ops@acme.test" in text
    assert ics.get_filename() == "invite.ics"
    # It is on the account manager's home as upcoming.
    with time_machine.travel(NOW, tick=False):
        home = client.get("/console/am/").content.decode()
    assert "Catalogue training" in home


def test_escalating_from_the_console_and_the_eta_moves_the_due_date(world: World) -> None:  # noqa: F811
    client = login(world, "am")
    ticket = world.other
    with time_machine.travel(NOW, tick=False):
        client.post(
            f"/console/t/{ticket.pk}/escalate/",
            {"title": "Search is slow", "eta": "2026-11-30T12:00"},
        )
    dev = DevTicket.objects.get(title="Search is slow")
    ticket.refresh_from_db()
    assert ticket.status == Status.TRIAGED
    assert ticket.due_at is not None and ticket.due_at.isoformat() == "2026-11-30T06:30:00+00:00"
    assert list(dev.tickets.all()) == [ticket]


def test_the_account_manager_raises_a_ticket_on_the_merchants_behalf(world: World) -> None:  # noqa: F811
    from helpline.outbox.models import Outbox

    client = login(world, "am")
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            f"/console/stores/{world.cast.acme_shoes.pk}/raise/",
            {
                "requester": world.cast.alice.pk,
                "issue_type": "functionality",
                "priority": "C2",
                "subject": "Coupons fail at checkout",
                "description": "Alice reported it on our call",
            },
        )
    ticket = Ticket.objects.get(subject="Coupons fail at checkout")
    assert response.status_code == 302 and response["Location"] == f"/console/t/{ticket.pk}/"
    assert ticket.requester_id == world.cast.alice.pk and ticket.channel == "staff"
    created = ticket.events.get(kind="created")
    assert created.actor_id == world.cast.maya.pk
    assert (created.after or {}).get("on_behalf_of") == world.cast.alice.pk
    assert Outbox.objects.filter(ticket=ticket, kind="created", recipient=world.cast.alice.email)
    # The merchant sees it among their tickets; a user of another merchant cannot be named.
    assert login(world, "merchant").get(f"/support/t/{ticket.pk}/").status_code == 200
    with time_machine.travel(NOW, tick=False):
        client.post(
            f"/console/stores/{world.cast.acme_shoes.pk}/raise/",
            {
                "requester": world.cast.bob.pk,
                "issue_type": "functionality",
                "subject": "Not Bob's store",
                "description": "x",
            },
        )
    assert not Ticket.objects.filter(subject="Not Bob's store").exists()


def test_a_long_sheet_shows_its_first_rows_and_exports_all(world: World, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setattr(progress_sheet, "SHOWN", 2)
    client = login(world, "merchant")
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/support/stores/{world.cast.acme_shoes.pk}/sheet/")
        csv_text = client.get(f"/support/stores/{world.cast.acme_shoes.pk}/sheet.csv")
    assert len(page.context["rows"]) == 2
    assert b"1 more row in the export" in page.content
    assert len(csv_text.content.decode().splitlines()) == 1 + 3
    # The page's rows are the export's first rows, in the same order.
    refs = [r.reference for r in page.context["rows"]]
    assert [line.split(",")[0] for line in csv_text.content.decode().splitlines()[1:3]] == refs


def test_page_queries_do_not_grow_with_rows(world: World) -> None:  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from helpline.engineering import services as engineering
    from helpline.tickets import services as ticket_services

    client = login(world, "am")
    pages = [
        "/console/am/",
        f"/console/stores/{world.cast.acme_shoes.pk}/",
        f"/console/stores/{world.cast.acme_shoes.pk}/sheet.xlsx",
    ]

    def counts() -> list[int]:
        out = []
        for path in pages:
            with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
                assert client.get(path).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    for n in range(6):
        ticket = ticket_services.ticket_create(
            actor=world.cast.alice,
            store=world.cast.acme_shoes,
            subject=f"More {n}",
            description="d",
            issue_type="functionality",
            now=NOW - timedelta(minutes=30),
        )
        engineering.devticket_open(
            actor=world.cast.ravi, title=f"Dev {n}", ticket_ids=[ticket.pk], now=NOW
        )
        am_services.sheet_note_set(actor=world.cast.maya, ticket=ticket, note=f"n{n}", now=NOW)
        am_services.contact_log(
            actor=world.cast.maya,
            store=world.cast.acme_shoes,
            channel="call",
            summary=f"call {n}",
            ticket_ids=[ticket.pk],
            now=NOW - timedelta(minutes=5),
        )
    assert counts() == before
