"""Master incidents from the console: link, post an update, merge; merchants get 404."""

from __future__ import annotations

from datetime import timedelta

from helpline.core import clock


def test_console_links_updates_and_merges(cast, signed_in) -> None:
    from helpline.tickets.models import Ticket, TicketMessage

    master = cast.ticket(
        subject="Gateway outage", description="details", at=clock.now() - timedelta(days=1)
    )
    child = cast.ticket(
        who="bob",
        subject="Payments down",
        description="details",
        at=clock.now() - timedelta(days=1),
    )
    agent = signed_in("ravi")
    page = agent.get(f"/console/t/{child.pk}/").content.decode()
    assert 'id="incident-form"' in page
    url = f"/console/t/{child.pk}/incident/"
    assert agent.post(url, {"op": "link", "other": master.reference}).status_code == 302
    assert Ticket.objects.get(pk=child.pk).master_id == master.pk
    agent.post(f"/console/t/{master.pk}/incident/", {"op": "update", "text": "Vendor working"})
    assert TicketMessage.objects.filter(ticket=child, body="Vendor working").exists()
    dup = cast.ticket(
        subject="Gateway again", description="details", at=clock.now() - timedelta(days=1)
    )
    agent.post(f"/console/t/{master.pk}/incident/", {"op": "merge", "other": str(dup.pk)})
    assert Ticket.objects.get(pk=dup.pk).status == "closed"
    # Bad input: a message on the page, nothing changed; merchants get 404.
    bad = agent.post(url, {"op": "link", "other": "not a ticket"}, follow=True)
    assert "Name a ticket" in bad.content.decode()
    assert signed_in("bob").post(url, {"op": "unlink"}).status_code == 404
    assert Ticket.objects.get(pk=child.pk).master_id == master.pk
