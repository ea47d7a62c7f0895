"""The merchant support center through the test client: lists, new ticket, ticket page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from helpline.conftest import T0
from helpline.tickets import services
from helpline.tickets.models import Status, Ticket

# Wed 25 Nov 2026 11:30 IST: business hours, no holiday.
OPEN_HOURS = T0 + timedelta(days=1, hours=1)
# Wed 25 Nov 2026 20:30 IST: after hours.
AFTER_HOURS = T0 + timedelta(days=1, hours=10)


def test_my_tickets_by_tab_with_due_times_in_the_merchant_zone(cast, signed_in):
    open_one = cast.ticket(
        subject="Open one", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    waiting = cast.ticket(
        subject="Waiting one", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    services.ticket_start(actor=cast.ravi, ticket=waiting, now=OPEN_HOURS)
    services.ticket_reply(
        actor=cast.ravi, ticket=waiting, body="Which page?", question=True, now=OPEN_HOURS
    )
    cast.ticket(
        who="bob", subject="Bolt's own", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    client = signed_in("alice")
    with time_machine.travel(OPEN_HOURS, tick=False):
        page = client.get("/support/").content.decode()
        assert "Open one" in page and "Waiting one" not in page and "Bolt's own" not in page
        # C3: first response in 8 business hours → Thu 26 Nov 11:30 IST.
        assert "Thu 26 Nov 2026, 11:30" in page
        assert "due in 1 d" in page  # wall time until the deadline
        assert open_one.reference in page
        waiting_page = client.get("/support/?tab=waiting").content.decode()
        assert "Waiting one" in waiting_page and "paused" in waiting_page
    # Bob's zone is Europe/London: the same kind of deadline in his time.
    bobs = cast.ticket(
        who="bob", subject="Bolt page", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    with time_machine.travel(OPEN_HOURS, tick=False):
        page = signed_in("bob").get(f"/support/t/{bobs.pk}/").content.decode()
    assert "Thu 26 Nov 2026, 06:00" in page and "Europe/London" in page


def test_new_ticket_form_shows_priorities_and_the_preview(cast, signed_in):
    client = signed_in("alice")
    with time_machine.travel(AFTER_HOURS, tick=False):
        page = client.get("/support/new/").content.decode()
        preview = client.get("/support/new/preview/?priority=C3&issue_type=functionality")
    assert "Your customers are not able to access website or apps" in page  # C1's description
    assert "Acme Shoes" in page and "Bolt Gadgets" not in page
    assert "the clock starts at the next opening" in preview.content.decode()
    assert "the next opening, Thu 26 Nov 2026, 10:00 IST." in preview.content.decode()
    assert "Thu 26 Nov 2026, 18:00" in preview.content.decode()  # first response due


def test_filing_a_ticket_goes_to_its_page(cast, signed_in):
    client = signed_in("alice")
    response = client.post(
        "/support/new/",
        {
            "store": cast.acme_outlet.pk,
            "issue_type": "functionality",
            "priority": "C3",
            "subject": "Banner misaligned",
            "description": "On the home page.",
        },
    )
    ticket = Ticket.objects.get(subject="Banner misaligned")
    assert response["Location"] == f"/support/t/{ticket.pk}/"
    assert ticket.channel == "portal" and ticket.requester == cast.alice


def test_a_c1_first_shows_similar_open_tickets_then_sends(cast, signed_in):
    earlier = cast.ticket(
        subject="Checkout payment gateway down",
        description="It fails.",
        priority="C2",
        at=OPEN_HOURS,
    )
    cast.ticket(
        who="bob",
        subject="Checkout payment down",
        description="It fails.",
        priority="C3",
        at=OPEN_HOURS,
    )
    client = signed_in("alice")
    data = {
        "store": cast.acme_shoes.pk,
        "issue_type": "functionality",
        "priority": "C1",
        "subject": "Payment checkout fails",
        "description": "Nobody can pay.",
    }
    first = client.post("/support/new/", data)
    page = first.content.decode()
    assert first.status_code == 200
    assert "already been reported" in page and earlier.reference in page
    assert "Bolt" not in page  # another merchant's tickets are never suggested
    assert not Ticket.objects.filter(subject="Payment checkout fails").exists()
    second = client.post("/support/new/", {**data, "confirmed": "on"})
    assert second.status_code == 302
    assert Ticket.objects.get(subject="Payment checkout fails").priority == "C1"


def test_another_merchants_store_cannot_be_chosen(cast, signed_in):
    response = signed_in("alice").post(
        "/support/new/",
        {
            "store": cast.bolt_gadgets.pk,
            "issue_type": "functionality",
            "priority": "C3",
            "subject": "x",
            "description": "y",
        },
    )
    assert response.status_code == 200
    assert not Ticket.objects.filter(subject="x").exists()


def test_reply_close_with_rating_reopen_withdraw(cast, signed_in):
    ticket = cast.ticket(
        subject="Checkout page broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    client = signed_in("alice")
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="Internal!", internal=True)
    services.ticket_reply(actor=cast.ravi, ticket=ticket, body="Looking at it.")
    page = client.get(f"/support/t/{ticket.pk}/").content.decode()
    assert "Looking at it." in page and "Internal!" not in page
    assert client.post(f"/support/t/{ticket.pk}/reply/", {"body": "Thanks"}).status_code == 302
    services.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Fixed")
    client.post(f"/support/t/{ticket.pk}/reopen/")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    services.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Fixed")
    client.post(f"/support/t/{ticket.pk}/close/", {"rating": "4", "comment": "Quick"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == ("closed", 4, "Quick")
    other = cast.ticket(subject="Never mind", description="It fails.", priority="C3", at=OPEN_HOURS)
    client.post(f"/support/t/{other.pk}/withdraw/")
    other.refresh_from_db()
    assert other.status == Status.CLOSED


def test_refused_action_is_a_message_not_an_error(cast, signed_in):
    ticket = cast.ticket(
        subject="Checkout page broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    client = signed_in("alice")
    response = client.post(f"/support/t/{ticket.pk}/close/", {"rating": "5"}, follow=True)
    assert response.status_code == 200
    assert "cannot close a ticket that is new" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/support/t/{id}/", "/support/t/{id}/reply/", "/support/t/{id}/withdraw/"],
)
def test_another_merchants_ticket_is_404(cast, signed_in, url):
    bobs = cast.ticket(
        who="bob", subject="Bolt's", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    client = signed_in("alice")
    path = url.format(id=bobs.pk)
    response = client.get(path) if url.endswith("}/") else client.post(path, {"body": "x"})
    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.status == Status.NEW


def test_staff_are_sent_to_the_console(cast, signed_in):
    assert signed_in("ravi").get("/support/")["Location"] == "/console/"


def test_help_page_has_the_priority_table_and_hours(db):
    from django.test import Client

    page = Client().get("/help/").content.decode()
    assert "C1" in page and "2 h" in page and "40 h of business time" in page
    assert "Mon 10:00–18:00" in page and "Asia/Kolkata" in page


def test_merchant_pages_query_counts_do_not_grow_with_rows(
    cast, signed_in, django_assert_max_num_queries
):
    client = signed_in("alice")
    cast.ticket(
        subject="Checkout page broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    with django_assert_max_num_queries(10) as one:
        client.get("/support/")
    for i in range(49):
        cast.ticket(subject=f"Ticket {i}", description="It fails.", priority="C3", at=OPEN_HOURS)
    with django_assert_max_num_queries(10) as fifty:
        client.get("/support/")
    assert len(fifty.captured_queries) == len(one.captured_queries)
    ticket = cast.ticket(
        subject="Checkout page broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    for i in range(20):
        services.ticket_reply(actor=cast.ravi, ticket=ticket, body=f"reply {i}")
    with django_assert_max_num_queries(12):
        client.get(f"/support/t/{ticket.pk}/")
    with django_assert_max_num_queries(12):
        client.get("/support/new/")


def test_the_due_date_counts_down_while_open(cast, signed_in):
    ticket = cast.ticket(
        subject="Checkout page broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    services.ticket_triage(actor=cast.ravi, ticket=ticket, now=OPEN_HOURS)
    services.ticket_update(
        actor=cast.ravi,
        ticket=ticket,
        due_at=OPEN_HOURS + timedelta(days=2),
        reason="waits on a release",
        now=OPEN_HOURS,
    )
    client = signed_in("alice")
    with time_machine.travel(OPEN_HOURS + timedelta(days=1), tick=False):
        page = client.get(f"/support/t/{ticket.pk}/").content.decode()
        listed = client.get("/support/").content.decode()
    assert f'data-key="{ticket.pk}-due_date"' in page and ">due in 1 d</span>" in page
    assert ">due in 1 d</span>" in listed
    with time_machine.travel(OPEN_HOURS + timedelta(days=2, hours=3), tick=False):
        page = client.get(f"/support/t/{ticket.pk}/").content.decode()
    assert 'class="countdown breached"' in page and ">overdue by 3 h</span>" in page
    services.ticket_resolve(actor=cast.ravi, ticket=ticket, message="Done")
    with time_machine.travel(OPEN_HOURS + timedelta(days=3), tick=False):
        page = client.get(f"/support/t/{ticket.pk}/").content.decode()
    assert f'data-key="{ticket.pk}-due_date"' not in page
