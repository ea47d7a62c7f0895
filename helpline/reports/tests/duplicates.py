"""A labelled set of merchant ticket texts with known duplicate groups (written for Helpline).

Each entry is (group, subject, description). Entries of the same group report the same problem
in different words (as different people at one merchant would); groups starting with "solo-"
have no duplicate and are distractors. Used by the tests and by bench/similar.py to measure
precision at 3 of "has this already been reported?".
"""

from __future__ import annotations

from collections.abc import Callable

DUPLICATES: list[tuple[str, str, str]] = [
    (
        "checkout",
        "Checkout fails with payment error",
        "Customers get 'payment failed' on the last step of checkout and cannot place orders.",
    ),
    (
        "checkout",
        "Orders cannot be placed",
        "Since this morning nobody can complete a purchase; the pay button just shows an error.",
    ),
    (
        "checkout",
        "Card payments declined at checkout",
        "Every card payment is declined at checkout, UPI too. We have lost sales all day.",
    ),
    ("site-down", "Store is down", "Our storefront shows a 502 bad gateway for all visitors."),
    (
        "site-down",
        "Website not loading",
        "The shop website does not open at all, customers see a blank page and bad gateway.",
    ),
    (
        "site-down",
        "Site unreachable",
        "Customers report they cannot reach our online store, the domain times out.",
    ),
    (
        "images",
        "Product images not showing",
        "All product photos appear as broken image icons on the product pages.",
    ),
    (
        "images",
        "Pictures missing on product pages",
        "The pictures of our items disappeared from the catalogue, only grey boxes.",
    ),
    (
        "invoice-gst",
        "GST missing on invoices",
        "The invoices we send to customers do not show the GST number or the tax breakup.",
    ),
    (
        "invoice-gst",
        "Tax details not printed on bill",
        "Our bills are printed without the tax amount and GSTIN, accountant is asking for it.",
    ),
    (
        "app-submission",
        "Android app submission pending",
        "We submitted the app update two weeks ago and it still has not reached the Play Store.",
    ),
    (
        "app-submission",
        "Play Store release stuck",
        "Our mobile app new version is still not live on Google Play, please check the submission.",
    ),
    (
        "app-submission",
        "When will our app update be published",
        "The android app update we asked for is not published yet, customers see the old version.",
    ),
    (
        "reports-empty",
        "Sales report shows no data",
        "The sales dashboard is empty since yesterday, no orders appear in the reports.",
    ),
    (
        "reports-empty",
        "Dashboard analytics blank",
        "Analytics page shows zero revenue and zero orders although we sold today.",
    ),
    (
        "admin-login",
        "Cannot log in to admin",
        "The admin panel rejects our password and the reset mail never arrives.",
    ),
    (
        "admin-login",
        "Password reset email not received",
        "We cannot sign in to the store admin; the forgot password email does not come.",
    ),
    (
        "admin-login",
        "Staff locked out of dashboard",
        "None of our staff can access the back office, login says invalid credentials.",
    ),
    (
        "shipping-rates",
        "Shipping charges wrong",
        "The delivery fee at checkout is calculated wrong for heavy parcels, always 40 rupees.",
    ),
    (
        "shipping-rates",
        "Delivery cost incorrect for large orders",
        "Big orders are charged the minimum shipping rate instead of the weight based rate.",
    ),
    (
        "coupon",
        "Discount code not applying",
        "Customers enter the coupon DIWALI20 and the cart total does not change.",
    ),
    (
        "coupon",
        "Coupon gives error invalid code",
        "Our promo code says invalid for every customer even though it is active in admin.",
    ),
    (
        "coupon",
        "Promo code not working",
        "The festival offer voucher is rejected at checkout, shoppers are complaining.",
    ),
    (
        "ssl",
        "SSL certificate expired",
        "Browsers show 'your connection is not private' on our store domain.",
    ),
    (
        "ssl",
        "Not secure warning on website",
        "Chrome marks our shop as not secure, the https certificate seems to have lapsed.",
    ),
    (
        "sms-otp",
        "OTP SMS not delivered",
        "Customers do not receive the one time password SMS to log in on the app.",
    ),
    (
        "sms-otp",
        "Login code not coming on phone",
        "Shoppers say the verification code text message never arrives on their mobiles.",
    ),
    (
        "inventory",
        "Stock count not updating",
        "After an order the inventory quantity stays the same, we oversold twice.",
    ),
    (
        "inventory",
        "Inventory not reduced after sale",
        "Items remain in stock after being sold, the quantities do not go down.",
    ),
    (
        "inventory",
        "Out of stock products still purchasable",
        "Products with zero stock can still be bought, the stock levels are not syncing.",
    ),
    (
        "banner",
        "Homepage banner misaligned",
        "The main banner on the home page is cut off on mobile screens.",
    ),
    (
        "banner",
        "Slider image cropped on phones",
        "Our homepage slider picture is cropped and shifted on small screens.",
    ),
    (
        "refund",
        "Refund not reaching customer",
        "We issued a refund a week ago and the customer has not received the money.",
    ),
    (
        "refund",
        "Customer money not returned",
        "A customer says the amount for the cancelled order was never credited back.",
    ),
    (
        "email-notify",
        "Order confirmation emails not sent",
        "Customers are not getting the order confirmation mail after purchase.",
    ),
    (
        "email-notify",
        "No mail to buyers after ordering",
        "Buyers complain they get no email receipt once they place an order.",
    ),
    (
        "search-broken",
        "Store search returns nothing",
        "Searching for any product on the storefront shows no results.",
    ),
    (
        "search-broken",
        "Product search not working",
        "The search bar on our website finds no products even for exact names.",
    ),
    (
        "cod",
        "Cash on delivery option missing",
        "COD is not shown as a payment method at checkout anymore.",
    ),
    (
        "cod",
        "COD disappeared from payment methods",
        "Customers can only pay online; the cash on delivery choice vanished.",
    ),
    (
        "payout",
        "Settlement not received",
        "Our payout for last week's orders has not been settled to our bank account.",
    ),
    (
        "payout",
        "Money from sales not transferred to bank",
        "The weekly settlement amount has not been credited to our account yet.",
    ),
    ("hindi", "भुगतान विफल हो रहा है", "ग्राहक चेकआउट पर भुगतान नहीं कर पा रहे हैं, हर बार त्रुटि आती है।"),
    ("hindi", "ग्राहक भुगतान नहीं कर पा रहे", "भुगतान पेज पर त्रुटि दिख रही है और ऑर्डर नहीं हो रहे।"),
    (
        "slow",
        "Website very slow",
        "Pages take more than ten seconds to load since the last update.",
    ),
    (
        "slow",
        "Store pages loading slowly",
        "Our shop has become sluggish, product pages take ages to open.",
    ),
    (
        "solo-font",
        "Change font on product titles",
        "We would like a bolder font for product titles, can you change the theme?",
    ),
    (
        "solo-wishlist",
        "Add wishlist feature",
        "Feature request: let customers save items to a wishlist for later.",
    ),
    (
        "solo-csv",
        "Bulk import products from CSV",
        "How do we upload our catalogue of 500 products from a spreadsheet file?",
    ),
    (
        "solo-whatsapp",
        "WhatsApp chat button",
        "Please add a WhatsApp chat widget to the bottom of every page.",
    ),
    (
        "solo-domain",
        "Connect a new domain",
        "We bought shopacme.in and want it to point to our store.",
    ),
    (
        "solo-training",
        "Training for new staff",
        "Can our account manager schedule a training session for two new employees?",
    ),
    (
        "solo-footer",
        "Footer links wrong",
        "The About Us link in the footer goes to the contact page.",
    ),
    (
        "solo-invoice-logo",
        "Logo on invoice",
        "We want our new logo printed at the top of customer invoices.",
    ),
    (
        "solo-pincode",
        "Restrict delivery pincodes",
        "We only deliver within Bengaluru, can checkout block other pincodes?",
    ),
    (
        "solo-review",
        "Product reviews moderation",
        "How can we approve customer reviews before they appear on the site?",
    ),
    (
        "solo-sitemap",
        "Sitemap for SEO",
        "Our SEO agency asks for the sitemap.xml address of our store.",
    ),
    (
        "solo-gift",
        "Gift wrapping option",
        "We want to offer gift wrap for 50 rupees as an option in the cart.",
    ),
    (
        "solo-language",
        "Add Tamil translation",
        "Can the storefront be shown in Tamil for our Chennai customers?",
    ),
    (
        "solo-currency",
        "Show prices in dollars",
        "International visitors should see prices in USD as well as rupees.",
    ),
    (
        "solo-export",
        "Export customer list",
        "We need to download the list of customers with their emails for our newsletter.",
    ),
    (
        "solo-popup",
        "Remove newsletter popup",
        "The newsletter popup annoys customers, please turn it off.",
    ),
]


def precision_at_3(user: object, tickets: list[object], *, semantic: bool) -> float:
    """Mean precision at 3 over every entry that has duplicates: each entry's text is the
    draft, every other entry an open ticket; P@3 = duplicates among the top 3 ÷ min(3, number
    of its duplicates)."""
    from helpline.reports.similar import similar_open_tickets

    group_of = {t.pk: g for t, (g, _, _) in zip(tickets, DUPLICATES, strict=True)}  # type: ignore[attr-defined]
    scores = []
    for ticket, (group, subject, description) in zip(tickets, DUPLICATES, strict=True):
        if group.startswith("solo-"):
            continue
        wanted = sum(1 for g, _, _ in DUPLICATES if g == group) - 1
        found = similar_open_tickets(
            user=user,  # type: ignore[arg-type]
            text=f"{subject}\n{description}",
            limit=3,
            semantic=semantic,
            exclude=ticket.pk,  # type: ignore[attr-defined]
        )
        hits = sum(1 for s in found if group_of[s.ticket.pk] == group)
        scores.append(hits / min(3, wanted))
    return sum(scores) / len(scores)


def both_sides(
    user: object,
    tickets: list[object],
    entries: list[tuple[str, str, str]],
    suggest: Callable[[str, int], list[object]] | None = None,
) -> tuple[float, float]:
    """The two rates of decision 0221 on a labelled set filed as ``tickets`` (one per entry):
    found — the share of duplicate drafts whose earlier ticket (another of its group) is among
    the suggestions shown (at most 3); quiet — the share of drafts with no earlier ticket (the
    "solo-" entries) for which nothing at all is shown. ``suggest(text, exclude)``: the tickets
    shown for a draft (default: ``reports.similar.similar_open_tickets``)."""
    from helpline.reports.similar import similar_open_tickets

    def default(text: str, exclude: int) -> list[object]:
        found = similar_open_tickets(user=user, text=text, limit=3, exclude=exclude)  # type: ignore[arg-type]
        return [s.ticket for s in found]

    suggest = suggest or default
    group_of = {t.pk: g for t, (g, _, _) in zip(tickets, entries, strict=True)}  # type: ignore[attr-defined]
    found = quiet = duplicates = solos = 0
    for ticket, (group, subject, description) in zip(tickets, entries, strict=True):
        shown = suggest(f"{subject}\n{description}", ticket.pk)  # type: ignore[attr-defined]
        if group.startswith("solo-"):
            solos += 1
            quiet += not shown
        else:
            duplicates += 1
            found += any(group_of[t.pk] == group for t in shown)  # type: ignore[attr-defined]
    return found / duplicates, quiet / solos
