"""Account-manager support, an add-on per store (docs/policy.md, "Account managers"): the
merchant asks for it, an admin assigns an account manager, the subscription starts that day in
the merchant's zone and is charged by the day for a part month; no account manager, no charge."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import time_machine
from django.test import Client

from helpline.account_management.models import SupportRequest
from helpline.accounts import services as accounts
from helpline.billing import ledger
from helpline.billing.models import Subscription
from helpline.outbox.models import Outbox

# 15 Nov 2026 20:00 UTC is already 16 Nov 01:30 in Kolkata (Acme's zone).
LATE_15TH = datetime(2026, 11, 15, 20, 0, tzinfo=UTC)
NOV = date(2026, 11, 1)


def assign(cast: Any, store: Any, manager: Any, at: datetime, **more: Any) -> Any:
    with time_machine.travel(at, tick=False):
        return cast.api("ada").call(
            "PUT",
            f"stores/{store.pk}/account-manager",
            {"account_manager": manager.pk if manager else None, **more},
        )


def subscription_lines(cast: Any, month: date = NOV) -> list[ledger.LedgerLine]:
    lines = ledger.ledger(user=cast.ada, merchant=cast.acme, month=month)
    return [line for line in lines if line.kind == "subscription"]


def test_the_merchant_asks_the_request_is_recorded_deciders_told_and_it_shows_pending(cast):
    lead = accounts.user_create(email="lead@helpline.test", role="agent", first_name="Lead")
    accounts.team_create(name="Account managers", lead=lead, members=[cast.maya])
    with time_machine.travel(LATE_15TH, tick=False):
        asked = cast.api("alice").post(
            f"stores/{cast.acme_outlet.pk}/account-manager/requests", {"note": "Diwali sale"}
        )
        again = cast.api("alice").post(f"stores/{cast.acme_outlet.pk}/account-manager/requests")
        managed = cast.api("alice").post(f"stores/{cast.acme_shoes.pk}/account-manager/requests")
        cards = cast.api("alice").get("account-managers")
        pending = cast.api("ada").get("account-manager/requests")
    assert asked.status_code == 201, asked.json_body
    request = SupportRequest.objects.get()
    assert (request.store, request.requested_by, request.created_at, request.status) == (
        cast.acme_outlet,
        cast.alice,
        LATE_15TH,
        "pending",
    )
    assert again.status_code == 409 and again.json_body["code"] == "request_pending"
    assert managed.status_code == 409 and managed.json_body["code"] == "has_account_manager"
    assert SupportRequest.objects.count() == 1
    # Admins and the lead of the account managers' team hear of it through the outbox.
    told = Outbox.objects.filter(kind="am_support_request")
    assert sorted(told.values_list("recipient", flat=True)) == [
        "ada@helpline.test",
        "lead@helpline.test",
    ]
    assert all("Diwali sale" in row.payload["body"] for row in told)
    outlet = next(c for c in cards.json_body if c["store"] == cast.acme_outlet.pk)
    assert outlet["name"] == "" and outlet["support_requested_at"].startswith("2026-11-15T20:00")
    assert [r["store"] for r in pending.json_body] == [cast.acme_outlet.pk]
    # The support center shows it pending, and no second button.
    client = Client()
    client.force_login(cast.alice)
    page = client.get("/support/account/").content.decode()
    assert f'id="am-pending-{cast.acme_outlet.pk}"' in page and "pending" in page


def test_a_merchant_asks_from_the_support_center(cast):
    client = Client()
    client.force_login(cast.alice)
    with time_machine.travel(LATE_15TH, tick=False):
        before = client.get("/support/account/").content.decode()
        response = client.post(
            f"/support/stores/{cast.acme_outlet.pk}/account-manager/", {"note": "Hi"}
        )
        other = client.post(f"/support/stores/{cast.bolt_gadgets.pk}/account-manager/")
    assert "Ask for an account manager" in before
    assert response.status_code == 302
    assert SupportRequest.objects.get().store == cast.acme_outlet
    assert other.status_code == 404  # another merchant's store


def test_a_mid_month_start_is_charged_pro_rata_from_the_merchants_date(cast):
    cast.api("alice").post(f"stores/{cast.acme_outlet.pk}/account-manager/requests")
    done = assign(cast, cast.acme_outlet, cast.maya, LATE_15TH)
    assert done.status_code == 200, done.json_body
    assert done.json_body["subscription"]["starts_on"] == "2026-11-16"  # Kolkata's date
    assert done.json_body["subscription"]["monthly_charge_inr"] == "4999.00"
    assert SupportRequest.objects.get().status == "assigned"
    # 16–30 Nov: 15 of 30 days: 4,999 × 15 ÷ 30 = 2,499.50; GST 18 % = 449.91.
    [line] = subscription_lines(cast)
    assert (line.store, line.amount_inr, line.gst_inr, line.total_inr) == (
        "Acme Outlet",
        Decimal("2499.50"),
        Decimal("449.91"),
        Decimal("2949.41"),
    )
    assert line.description == "Account-manager support, 16–30 Nov (15 of 30 days)"
    # A whole month after: the full charge; before: nothing.
    [december] = subscription_lines(cast, date(2026, 12, 1))
    assert december.amount_inr == Decimal("4999.00")
    assert subscription_lines(cast, date(2026, 10, 1)) == []
    # The API's ledger: net, GST and total per store.
    with time_machine.travel(LATE_15TH, tick=False):
        book = cast.api("alice").get("merchants/acme/ledger", month="2026-11").json_body
    assert book["stores"] == [
        {"store": "Acme Outlet", "net_inr": "2499.50", "gst_inr": "449.91", "total_inr": "2949.41"}
    ]


def test_a_rounding_half_paisa_goes_up(cast):
    """4,999 × 7 ÷ 30 = 1,166.4333… → 1,166.43; a charge of 100.05 × 15 ÷ 30 = 50.025 → 50.03."""
    assign(cast, cast.acme_outlet, cast.maya, datetime(2026, 11, 16, 0, 0, tzinfo=UTC))
    Subscription.objects.update(monthly_charge_inr=Decimal("100.05"))
    [line] = subscription_lines(cast)
    assert line.amount_inr == Decimal("50.03")  # half up, not half even (50.02)
    assert ledger.pro_rata(Decimal("4999"), 7, NOV) == Decimal("1166.43")


def test_a_store_with_no_account_manager_is_not_billed(cast):
    """Acme Outlet never had one; Acme Shoes has one but no subscription was ever started for
    it: neither is charged. Recording a subscription is no longer possible without a manager."""
    assert subscription_lines(cast) == []
    assert not Subscription.objects.exists()
    with time_machine.travel(LATE_15TH, tick=False):
        old_door = cast.api("ada").post(
            f"stores/{cast.acme_outlet.pk}/subscriptions",
            {"monthly_charge_inr": "4999", "starts_on": "2026-11-15"},
        )
    assert old_door.status_code == 405
    assert not Subscription.objects.exists()


def test_reassigning_in_the_same_month_does_not_double_charge(cast):
    omar = accounts.user_create(email="omar@helpline.test", role="account_manager")
    assign(cast, cast.acme_outlet, cast.maya, datetime(2026, 11, 10, 6, 0, tzinfo=UTC))
    moved = assign(cast, cast.acme_outlet, omar, datetime(2026, 11, 20, 6, 0, tzinfo=UTC))
    assert moved.status_code == 200 and moved.json_body["account_manager"] == omar.pk
    assert Subscription.objects.count() == 1
    [line] = subscription_lines(cast)
    assert line.amount_inr == Decimal("3499.30")  # 10–30 Nov: 21 of 30 days
    # Left without one on the 25th: charged to the 25th inclusive; back the same day: the
    # same subscription runs on, the day is not charged twice.
    ended = assign(cast, cast.acme_outlet, None, datetime(2026, 11, 25, 6, 0, tzinfo=UTC))
    assert ended.json_body["subscription"] is None
    assert ended.json_body["ended"]["ends_on"] == "2026-11-25"
    [line] = subscription_lines(cast)
    assert line.amount_inr == Decimal("2666.13")  # 10–25 Nov: 16 of 30 days
    assign(cast, cast.acme_outlet, cast.maya, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert Subscription.objects.count() == 1
    assert [x.amount_inr for x in subscription_lines(cast)] == [Decimal("3499.30")]
    # Left again, back four days later: two lines, the days between not charged.
    assign(cast, cast.acme_outlet, None, datetime(2026, 11, 26, 6, 0, tzinfo=UTC))
    assign(cast, cast.acme_outlet, omar, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))
    amounts = [x.amount_inr for x in subscription_lines(cast)]
    assert amounts == [Decimal("2832.77"), Decimal("333.27")]  # 10–26 (17 days), 29–30 (2)
    assert ledger.store_totals(subscription_lines(cast))[0].net_inr == Decimal("3166.04")


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(cast):
    cast.api("alice").post(f"stores/{cast.acme_outlet.pk}/account-manager/requests")
    merchant = assign(cast, cast.acme_outlet, cast.alice, LATE_15TH)
    assert merchant.status_code == 422, merchant.json_body
    assert merchant.json_body["code"] == "not_account_manager"
    assert merchant.json_body["field"] == "account_manager"
    assert "account_manager" in merchant.json_body["detail"]
    agent = assign(cast, cast.acme_outlet, cast.ravi, LATE_15TH)
    nobody = assign(cast, cast.acme_outlet, None, LATE_15TH, monthly_charge_inr="-5")
    with time_machine.travel(LATE_15TH, tick=False):
        missing = cast.api("ada").call(
            "PUT", f"stores/{cast.acme_outlet.pk}/account-manager", {"account_manager": 999999}
        )
        by_merchant = cast.api("alice").call(
            "PUT",
            f"stores/{cast.acme_outlet.pk}/account-manager",
            {"account_manager": cast.maya.pk},
        )
        by_am = cast.api("maya").call(
            "PUT", f"stores/{cast.acme_shoes.pk}/account-manager", {"account_manager": cast.maya.pk}
        )
    assert agent.status_code == 422 and agent.json_body["field"] == "account_manager"
    assert nobody.status_code == 422
    assert missing.status_code == 422 and missing.json_body["code"] == "not_account_manager"
    assert by_merchant.status_code == 403 and by_am.status_code == 403
    cast.acme_outlet.refresh_from_db()
    assert cast.acme_outlet.account_manager_id is None
    assert not Subscription.objects.exists()
    assert SupportRequest.objects.get().status == "pending"


def test_an_admin_assigns_from_the_console_and_the_merchant_sees_how_to_reach_them(cast):
    cast.maya.whatsapp = "+91 98765 43210"
    cast.maya.save(update_fields=["whatsapp"])
    cast.api("alice").post(f"stores/{cast.acme_outlet.pk}/account-manager/requests")
    admin = Client()
    admin.force_login(cast.ada)
    with time_machine.travel(LATE_15TH, tick=False):
        home = admin.get("/console/am/").content.decode()
        page = admin.get(f"/console/stores/{cast.acme_outlet.pk}/").content.decode()
        saved = admin.post(
            f"/console/stores/{cast.acme_outlet.pk}/account-manager/",
            {"account_manager": str(cast.maya.pk), "monthly_charge_inr": "5999"},
        )
    assert 'id="support-requests"' in home and "Acme Outlet" in home
    assert 'id="am-requested"' in page and "pending" in page
    assert saved.status_code == 302
    sub = Subscription.objects.get()
    assert (sub.store, sub.starts_on, sub.monthly_charge_inr) == (
        cast.acme_outlet,
        date(2026, 11, 16),
        Decimal("5999.00"),
    )
    merchant = Client()
    merchant.force_login(cast.alice)
    card = merchant.get("/support/account/").content.decode()
    [outlet] = [
        part for part in card.split('id="store-') if part.startswith(f'{cast.acme_outlet.pk}"')
    ]
    assert "Maya" in outlet and "maya@helpline.test" in outlet
    assert "https://wa.me/919876543210" in outlet and "Request a call" in outlet
    # An agent may not assign (the form is not shown, the door refuses).
    agent = Client()
    agent.force_login(cast.ravi)
    refused = agent.post(
        f"/console/stores/{cast.acme_outlet.pk}/account-manager/", {"account_manager": ""}
    )
    assert refused.status_code == 403
    assert Subscription.objects.get().ends_on is None


def test_a_store_added_with_an_account_manager_starts_its_subscription(cast):
    with time_machine.travel(LATE_15TH, tick=False):
        made = cast.api("ada").post(
            "stores",
            {
                "merchant": "acme",
                "name": "Acme Bags",
                "url": "https://bags.acme.test",
                "account_manager": cast.maya.pk,
            },
        )
        refused = cast.api("ada").post(
            "stores",
            {
                "merchant": "acme",
                "name": "Acme Hats",
                "url": "https://hats.acme.test",
                "account_manager": cast.ravi.pk,
            },
        )
    assert made.status_code == 201 and made.json_body["account_manager"] == cast.maya.pk
    sub = Subscription.objects.get()
    assert (sub.store_id, sub.starts_on) == (made.json_body["id"], date(2026, 11, 16))
    assert refused.status_code == 422 and refused.json_body["field"] == "account_manager"
    assert not cast.acme.stores.filter(name="Acme Hats").exists()
