"""The staff console through the test client: queues, bulk moves, the ticket page."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from helpline.accounts import services as accounts
from helpline.conftest import T0
from helpline.core import clock
from helpline.tickets import services, sweeps
from helpline.tickets.models import Status, TicketMessage

OPEN_HOURS = T0 + timedelta(days=1, hours=1)  # Wed 25 Nov 2026 11:30 IST


def test_queues_filter_and_show_countdowns(cast, signed_in):
    mine = cast.ticket(
        subject="Assigned to Ravi", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    services.ticket_update(actor=cast.lena, ticket=mine, assignee=cast.ravi.pk, now=OPEN_HOURS)
    free = cast.ticket(
        store=cast.acme_outlet,
        subject="Nobody assigned",
        description="It fails.",
        priority="C2",
        at=OPEN_HOURS,
    )
    late = cast.ticket(
        subject="Way late",
        description="It fails.",
        priority="C1",
        at=OPEN_HOURS - timedelta(days=3),
    )
    sweeps.clocks_sweep(now=OPEN_HOURS)
    client = signed_in("ravi")
    with time_machine.travel(OPEN_HOURS, tick=False):
        all_open = client.get("/console/").content.decode()
        assert all(t.subject in all_open for t in (mine, free, late))
        assert "due in 1 d" in all_open  # the C3's first response
        mine_page = client.get("/console/?q=mine").content.decode()
        assert "Assigned to Ravi" in mine_page and "Nobody assigned" not in mine_page
        unassigned = client.get("/console/?q=unassigned").content.decode()
        assert "Nobody assigned" in unassigned and "Assigned to Ravi" not in unassigned
        breached = client.get("/console/?q=breached").content.decode()
        assert "Way late" in breached and "Assigned to Ravi" not in breached
        assert 'class="breached"' in breached and "overdue by 2 d" in breached
        soon = client.get("/console/?q=due_soon").content.decode()
        assert "Way late" in soon and "Nobody assigned" not in soon
        by_priority = client.get("/console/?priority=C2").content.decode()
        assert "Nobody assigned" in by_priority and "Way late" not in by_priority
        by_store = client.get(f"/console/?store={cast.acme_outlet.pk}").content.decode()
        assert "Nobody assigned" in by_store and "Assigned to Ravi" not in by_store


def test_the_team_filter_shows_that_teams_tickets_and_is_kept_in_a_saved_view(cast, signed_in):
    billing = accounts.team_create(name="Billing", lead=cast.lena, members=[cast.lena])
    ours = cast.ticket(subject="For support", description="It fails.", priority="C3", at=OPEN_HOURS)
    theirs = cast.ticket(
        subject="For billing", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    services.ticket_update(actor=cast.lena, ticket=ours, team=cast.team.pk, now=OPEN_HOURS)
    services.ticket_update(actor=cast.lena, ticket=theirs, team=billing.pk, now=OPEN_HOURS)
    cast.ticket(subject="No team yet", description="It fails.", priority="C3", at=OPEN_HOURS)
    client = signed_in("ravi")
    with time_machine.travel(OPEN_HOURS, tick=False):
        page = client.get(f"/console/?team={billing.pk}").content.decode()
        assert "For billing" in page and "For support" not in page and "No team yet" not in page
        assert f'<option value="{billing.pk}" selected>Billing</option>' in page
        every = client.get("/console/?team=").content.decode()
        assert all(s in every for s in ("For billing", "For support", "No team yet"))
        saved = client.post("/console/views/", {"name": "Billing", "query": f"team={billing.pk}"})
        assert saved["Location"] == f"/console/?team={billing.pk}"


def test_due_soon_is_worked_by_deadline_and_any_queue_can_be(cast, signed_in):
    later = cast.ticket(subject="Later C3", description="It fails.", priority="C3", at=OPEN_HOURS)
    cast.ticket(
        subject="Sooner C2",
        description="It fails.",
        priority="C2",
        at=OPEN_HOURS + timedelta(minutes=1),
    )
    client = signed_in("ravi")
    with time_machine.travel(OPEN_HOURS + timedelta(minutes=2), tick=False):
        newest = client.get("/console/?order=newest").content.decode()
        assert newest.index("Sooner C2") < newest.index("Later C3")  # by id, newest first
        assert '<option value="newest" selected>' in newest
        by_due = client.get("/console/").content.decode()  # the most urgent first, by default
        assert '<option value="due" selected>' in by_due
        assert by_due.index("Sooner C2") < by_due.index("Later C3")
        # Raised to C1, the older ticket has the nearest deadline: first by deadline, still
        # second by id.
        services.ticket_update(
            actor=cast.lena, ticket=later, priority="C1", reason="It is worse", now=OPEN_HOURS
        )
        by_due = client.get("/console/?order=due").content.decode()
        assert by_due.index("Later C3") < by_due.index("Sooner C2")
        newest = client.get("/console/?order=newest").content.decode()
        assert newest.index("Sooner C2") < newest.index("Later C3")
        soon = client.get("/console/?q=due_soon").content.decode()
        assert '<option value="due" selected>' in soon  # this queue sorts by deadline itself
        assert "Later C3" in soon


def test_htmx_refresh_answers_only_the_rows(cast, signed_in):
    cast.ticket(subject="Checkout broken", description="It fails.", priority="C3", at=OPEN_HOURS)
    response = signed_in("ravi").get("/console/?q=open", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith("<tbody") and "<html" not in body
    assert 'hx-trigger="every 30s"' in body


def test_merchants_do_not_see_the_console(cast, signed_in):
    ticket = cast.ticket(
        subject="Checkout broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    client = signed_in("alice")
    assert client.get("/console/").status_code == 404
    assert client.get(f"/console/t/{ticket.pk}/").status_code == 404
    assert client.post(f"/console/t/{ticket.pk}/reply/", {"body": "x"}).status_code == 404


def test_account_manager_sees_only_their_stores(cast, signed_in):
    theirs = cast.ticket(subject="Shoes", description="It fails.", priority="C3", at=OPEN_HOURS)
    other = cast.ticket(
        store=cast.acme_outlet,
        subject="Outlet",
        description="It fails.",
        priority="C3",
        at=OPEN_HOURS,
    )
    client = signed_in("maya")
    page = client.get("/console/").content.decode()
    assert "Shoes" in page and "Outlet" not in page.split("<tbody", 1)[1]
    assert client.get(f"/console/t/{theirs.pk}/").status_code == 200
    assert client.get(f"/console/t/{other.pk}/").status_code == 404


def test_bulk_assign_and_transition(cast, signed_in):
    tickets = [
        cast.ticket(subject=f"T{i}", description="It fails.", priority="C3", at=clock.now())
        for i in range(3)
    ]
    bobs = cast.ticket(
        who="bob", subject="Checkout broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    client = signed_in("lena")
    ids = [t.pk for t in tickets]
    client.post("/console/bulk/", {"tickets": ids, "do": "assign", "assignee": cast.ravi.pk})
    for t in tickets:
        t.refresh_from_db()
        assert t.assignee == cast.ravi
    response = client.post(
        "/console/bulk/",
        {"tickets": [*ids, 999999], "do": "transition", "action": "triage", "next": "/console/"},
        follow=True,
    )
    for t in tickets:
        t.refresh_from_db()
        assert t.status == Status.TRIAGED and t.due_at is not None
    assert "3 tickets updated" in response.content.decode()
    assert "HL-999999: ticket not found" in response.content.decode()
    bobs.refresh_from_db()
    assert bobs.status == Status.NEW


def test_public_reply_and_internal_note_look_different(cast, signed_in):
    ticket = cast.ticket(
        subject="Checkout broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    client = signed_in("ravi")
    client.post(f"/console/t/{ticket.pk}/reply/", {"body": "We are on it", "internal": ""})
    client.post(f"/console/t/{ticket.pk}/reply/", {"body": "Looks like the CDN", "internal": "on"})
    reply, note = TicketMessage.objects.filter(ticket=ticket).order_by("pk")
    assert (reply.internal, note.internal) == (False, True)
    page = client.get(f"/console/t/{ticket.pk}/").content.decode()
    assert 'class="msg internal' in page and "Internal note" in page
    assert 'class="msg staff' in page
    merchant_page = signed_in("alice").get(f"/support/t/{ticket.pk}/").content.decode()
    assert "We are on it" in merchant_page and "CDN" not in merchant_page


def test_ticket_moves_from_the_ticket_page(cast, signed_in):
    # The views act at the real now.
    ticket = cast.ticket(
        subject="Checkout broken", description="It fails.", priority="C1", at=clock.now()
    )
    client = signed_in("ravi")
    client.post(f"/console/t/{ticket.pk}/action/", {"action": "triage"})
    ticket.refresh_from_db()
    assert ticket.status == Status.TRIAGED and ticket.assignee == cast.ravi
    client.post(f"/console/t/{ticket.pk}/assign/", {"assignee": cast.lena.pk})
    client.post(
        f"/console/t/{ticket.pk}/action/",
        {"action": "workaround", "message": "Use the backup gateway"},
    )
    ticket.refresh_from_db()
    assert ticket.assignee == cast.lena and ticket.priority == "C2"
    refused = client.post(f"/console/t/{ticket.pk}/priority/", {"priority": "C3"}, follow=True)
    assert "needs a priority, a known issue type and a reason" in refused.content.decode()
    client.post(f"/console/t/{ticket.pk}/priority/", {"priority": "C3", "reason": "cosmetic"})
    ticket.refresh_from_db()
    assert ticket.priority == "C3"
    client.post(
        f"/console/t/{ticket.pk}/due/",
        {"due_at": "2036-01-02T15:00", "reason": "waits on a release"},
    )
    ticket.refresh_from_db()
    # Typed in Ravi's zone (the installation's, Asia/Kolkata): 15:00 IST = 09:30 UTC.
    assert ticket.due_at is not None and ticket.due_at.isoformat() == "2036-01-02T09:30:00+00:00"
    client.post(f"/console/t/{ticket.pk}/action/", {"action": "resolve", "message": "Done"})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    page = client.get(f"/console/t/{ticket.pk}/").content.decode()
    for line in (
        "Opened as C1",
        "Assigned to Lena",
        "Workaround recorded",
        "Priority C1 → C2 — workaround recorded",
        "Priority C2 → C3 — cosmetic",
        "Due date Wed 2 Jan 2036, 15:00 IST",
        "— waits on a release",
        "Status Triaged → Resolved",
    ):
        assert line in page, line
    merchant = signed_in("alice").get(f"/support/t/{ticket.pk}/").content.decode()
    assert "Priority C2 → C3 — cosmetic" in merchant and "Assigned to" not in merchant


def test_console_query_counts_do_not_grow_with_rows(cast, signed_in, django_assert_max_num_queries):
    client = signed_in("ravi")
    first = cast.ticket(
        subject="Checkout broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    services.ticket_update(actor=cast.ravi, ticket=first, assignee=cast.lena.pk)
    with django_assert_max_num_queries(12) as one:
        client.get("/console/")
    with django_assert_max_num_queries(12) as one_rows:
        client.get("/console/", HTTP_HX_REQUEST="true")
    for i in range(49):
        t = cast.ticket(
            store=cast.acme_outlet if i % 2 else None,
            subject=f"Ticket {i}",
            description="It fails.",
            priority="C3",
            at=OPEN_HOURS,
        )
        services.ticket_update(actor=cast.ravi, ticket=t, assignee=cast.ravi.pk)
    with django_assert_max_num_queries(12) as fifty:
        client.get("/console/")
    with django_assert_max_num_queries(12) as fifty_rows:
        client.get("/console/", HTTP_HX_REQUEST="true")
    assert len(fifty.captured_queries) == len(one.captured_queries)
    assert len(fifty_rows.captured_queries) == len(one_rows.captured_queries)
    for i in range(20):
        services.ticket_reply(actor=cast.ravi, ticket=first, body=f"r{i}", internal=i % 2 == 0)
    # The requester panel adds two reads (the requester, the merchant's other tickets), the
    # same for one other ticket as for eight.
    with django_assert_max_num_queries(16):
        client.get(f"/console/t/{first.pk}/")


def test_canned_replies_fill_placeholders_from_the_ticket(cast, signed_in):
    from helpline.web.models import CannedReply

    CannedReply.objects.create(
        title="Looking into it",
        body="Hello {merchant}, we are looking at {reference} on {store}. — {agent} {unknown}",
    )
    CannedReply.objects.create(title="Retired", body="old", active=False)
    ticket = cast.ticket(
        subject="Checkout broken", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    page = signed_in("ravi").get(f"/console/t/{ticket.pk}/").content.decode()
    assert (
        f"Hello Acme Retail, we are looking at {ticket.reference} on Acme Shoes. — Ravi {{unknown}}"
        in page
    )
    assert "Retired" not in page


def test_canned_reply_with_markup_is_escaped(cast, signed_in):
    from helpline.web.models import CannedReply

    CannedReply.objects.create(title="x", body='"><script>alert(1)</script> {subject}')
    ticket = cast.ticket(
        subject="<b>bold</b>", description="It fails.", priority="C3", at=OPEN_HOURS
    )
    page = signed_in("ravi").get(f"/console/t/{ticket.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "<b>bold</b>" not in page


def test_saved_views_keep_only_the_queue_and_filters(cast, signed_in):
    client = signed_in("ravi")
    response = client.post(
        "/console/views/",
        {"name": "My C1s", "query": "q=mine&priority=C1&evil=1&after=abc"},
    )
    assert response["Location"] == "/console/?q=mine&priority=C1"
    page = client.get("/console/").content.decode()
    assert '<a href="?q=mine&amp;priority=C1">My C1s</a>' in page
    again = client.post("/console/views/", {"name": "My C1s", "query": "q=open"}, follow=True)
    assert "already" in again.content.decode()
    assert "My C1s" not in signed_in("lena").get("/console/").content.decode()


def test_a_saved_view_is_deleted_by_its_owner_only(cast, signed_in):
    from helpline.web.models import SavedView

    client = signed_in("ravi")
    client.post("/console/views/", {"name": "My C1s", "query": "q=mine&priority=C1"})
    view = SavedView.objects.get(user=cast.ravi)
    assert signed_in("lena").post(f"/console/views/{view.pk}/delete/").status_code == 404
    assert signed_in("alice").post(f"/console/views/{view.pk}/delete/").status_code == 404
    assert client.get(f"/console/views/{view.pk}/delete/").status_code == 405
    assert SavedView.objects.filter(pk=view.pk).exists()
    page = client.post(f"/console/views/{view.pk}/delete/", follow=True).content.decode()
    assert "View deleted." in page and "My C1s" not in page
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_the_issue_type_is_changed_with_a_reason(cast, signed_in):
    ticket = cast.ticket(
        subject="Checkout broken", description="It fails.", priority="C3", at=clock.now()
    )
    client = signed_in("ravi")
    page = client.get(f"/console/t/{ticket.pk}/").content.decode()
    assert '<option value="functionality" selected>' in page
    client.post(
        f"/console/t/{ticket.pk}/priority/",
        {"priority": "C3", "issue_type": "app-submission", "reason": "it is an app review"},
    )
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.issue_type) == ("C3", "app-submission")
    page = client.get(f"/console/t/{ticket.pk}/").content.decode()
    assert "Issue type functionality → app-submission — it is an app review" in page
    refused = client.post(
        f"/console/t/{ticket.pk}/priority/",
        {"priority": "C3", "issue_type": "no-such-type", "reason": "x"},
        follow=True,
    )
    assert "needs a priority, a known issue type and a reason" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.issue_type == "app-submission"
