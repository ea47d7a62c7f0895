"""The due date on the pages: a ticket reopened after its due date passed says "a new due date
will be set" to the merchant (never "overdue") and sits in the console's triage queue; a quote
shows the due date approving it accepts."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from helpline.billing import services as billing
from helpline.core import clock, display
from helpline.tickets.tests.test_due_dates import reopened_after_due


def test_a_reopened_ticket_past_its_due_date_is_never_overdue_for_the_merchant(
    cast, signed_in
) -> None:
    ticket = reopened_after_due(cast)
    page = signed_in("alice").get(f"/support/t/{ticket.pk}/").content.decode()
    assert "a new due date will be set" in page and "overdue by" not in page
    home = signed_in("alice").get("/support/").content.decode()
    assert "a new due date will be set" in home and "overdue by" not in home
    queue = signed_in("ravi").get("/console/", {"q": "triage"}).content.decode()
    assert ticket.reference in queue and "To triage" in queue
    staff = signed_in("ravi").get(f"/console/t/{ticket.pk}/").content.decode()
    assert "needs a new due date" in staff


def test_a_quote_shows_its_due_date_beside_the_cost(cast, signed_in) -> None:
    now = clock.now()
    ticket = cast.triage(cast.ticket(at=now - timedelta(hours=1)), at=now - timedelta(minutes=50))
    due = now + timedelta(days=9)
    form = signed_in("ravi").get(f"/console/t/{ticket.pk}/").content.decode()
    assert 'name="due_at" id="q-due"' in form
    billing.quote_create(
        actor=cast.ravi,
        ticket=ticket,
        amount_inr="2500.00",
        description="Custom banner",
        valid_until=now + timedelta(days=3),
        due_at=due,
        now=now,
    )
    page = signed_in("alice").get(f"/support/t/{ticket.pk}/").content.decode()
    kolkata = ZoneInfo("Asia/Kolkata")  # the merchant's zone, and the agent's (the default)
    assert "due date if approved" in page and display.when(due, kolkata) in page
    console = signed_in("ravi").get(f"/console/t/{ticket.pk}/").content.decode()
    assert f"₹2,500.00 + GST = ₹2,950.00 incl. GST ₹450.00, due {display.when(due, kolkata)}" in (
        console
    )


def test_staff_set_a_quote_due_date_in_the_console(cast, signed_in) -> None:
    now = clock.now()
    ticket = cast.triage(cast.ticket(at=now - timedelta(hours=1)), at=now - timedelta(minutes=50))
    form = {
        "amount_inr": "900",
        "description": "Extra work",
        "valid_until": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    client = signed_in("ravi")
    refused = client.post(f"/console/t/{ticket.pk}/quote/", form, follow=True)
    assert "due_at" in refused.content.decode()
    assert not ticket.quotes.exists()
    form["due_at"] = (now + timedelta(days=6)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/console/t/{ticket.pk}/quote/", form)
    assert ticket.quotes.get().due_at is not None


def test_the_reports_page_shows_promise_kept_and_the_goals(cast, signed_in) -> None:
    now = clock.now()
    cast.triage(cast.ticket(at=now - timedelta(days=2)), at=now - timedelta(days=2))
    html = signed_in("ravi").get("/reports/").content.decode()
    for title in ("Promise kept (due dates) by agent", "Promise kept (due dates) by merchant"):
        assert title in html
    assert "C1 workaround (goal 2 h): met goal %" in html
    assert "/reports/promise-team/export/?format=xlsx" in html
    merchant = signed_in("alice").get("/reports/").content.decode()
    assert "Promise kept (due dates) by merchant" in merchant
    assert "Promise kept (due dates) by team" not in merchant
    xlsx = signed_in("ravi").get("/reports/promise-team/export/", {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="promise-team.xlsx"'
    assert signed_in("alice").get("/reports/promise-team/export/").status_code == 404
