# ruff: noqa: E501 - merchant sentences kept whole, one to a line
"""A second labelled set for "already reported?", written apart and never tuned on (decision 0221).

Written on 8 Dec 2026 before the calibrated score of ``helpline.reports.similar`` existed, by a
different hand than ``duplicates.py``, in the words merchants use (short, sometimes Hinglish,
sometimes with typos). Same shape as ``duplicates.DUPLICATES``: (group, subject, description);
entries of one group report the same problem in other words, groups starting with "solo-" have
no earlier ticket: a draft of one must get no suggestion at all. 16 groups of two (32 duplicate
drafts) and 32 solos (32 drafts with no earlier ticket).

Nothing in the scorer was changed after looking at its results on this set; the tests only
assert the two rates on it.
"""

from __future__ import annotations

HOLDOUT: list[tuple[str, str, str]] = [
    (
        "courier-labels",
        "Shipping labels not generating",
        "When we click print label for Delhivery orders nothing happens, 40 orders stuck in packing.",
    ),
    (
        "courier-labels",
        "Cannot print AWB for orders",
        "AWB label download gives error for all today's orders, courier pickup is at 4 pm.",
    ),
    (
        "wa-order-msg",
        "WhatsApp order confirmation not going",
        "Customers are not receiving the WhatsApp message after placing order since Monday.",
    ),
    (
        "wa-order-msg",
        "Order update messages stopped on whatsapp",
        "our buyers say they dont get any whatsapp notification for their orders anymore",
    ),
    (
        "pos-stock",
        "Stock not syncing with POS",
        "Offline shop sold items but online stock still shows them available, sync is not running.",
    ),
    (
        "pos-stock",
        "Inventory mismatch between billing software and website",
        "Quantities on website are different from our POS counter, it was updating every hour before.",
    ),
    (
        "settlement",
        "Settlement not received",
        "Razorpay settlement for last week orders has not come to our bank account yet.",
    ),
    (
        "settlement",
        "Payment of orders not credited to bank",
        "Money for orders from 1st to 7th is still not credited in our account, please check payout.",
    ),
    (
        "ios-crash",
        "iPhone app crashing",
        "Our app closes immediately on iPhone when customers open it, Android is fine.",
    ),
    (
        "ios-crash",
        "App crash on iOS after update",
        "After the latest app version customers on iOS say the app crashes on the home screen.",
    ),
    (
        "variants",
        "Size option not selectable",
        "On kurta products customers cannot select size M or L, the dropdown is greyed out.",
    ),
    (
        "variants",
        "Customers unable to choose product variant",
        "Colour and size variants cannot be selected on product page so add to cart is disabled.",
    ),
    (
        "coupon-double",
        "Discount applied twice",
        "The FLAT200 coupon is getting deducted two times in the cart total, we are losing money.",
    ),
    (
        "coupon-double",
        "Coupon deducting double amount",
        "Promo code gives double discount at checkout, order total shows 400 off instead of 200.",
    ),
    (
        "returns-page",
        "Return request page error",
        "Customers get an error 500 when they try to submit a return request from my orders.",
    ),
    (
        "returns-page",
        "Unable to raise return",
        "Buyers cannot raise return for delivered orders, the return form shows something went wrong.",
    ),
    (
        "pincode",
        "Pincode check says not deliverable",
        "Delivery check shows 'not serviceable' for Bangalore pincodes we always shipped to.",
    ),
    (
        "pincode",
        "Wrong delivery availability on product page",
        "Product page says we do not deliver to 560001 and nearby pincodes, but courier covers them.",
    ),
    (
        "login-otp",
        "Customers not getting login OTP",
        "Shoppers trying to login with mobile number never receive the OTP SMS.",
    ),
    (
        "login-otp",
        "OTP SMS not received",
        "customer login otp is not coming on phone since morning, they cant sign in to order",
    ),
    (
        "invoice-number",
        "Invoice numbers restarted from 1",
        "From this month the invoice number series started again from INV-0001, duplicate numbers now.",
    ),
    (
        "invoice-number",
        "Duplicate invoice numbers",
        "Two different orders have the same invoice number, the sequence seems reset.",
    ),
    (
        "mobile-slow",
        "Website very slow on mobile",
        "Store takes 15 seconds to load on phone, customers are leaving before it opens.",
    ),
    (
        "mobile-slow",
        "Pages loading slowly",
        "Our site pages are loading very slow for customers, especially category pages on mobile.",
    ),
    (
        "csv-import",
        "Product CSV import failing",
        "Bulk upload of 300 products via CSV stops with an error at row 1, file format is same as sample.",
    ),
    (
        "csv-import",
        "Bulk product upload not working",
        "Trying to upload products in bulk with the excel/csv template but the import fails every time.",
    ),
    (
        "cart-empty",
        "Cart emptying itself",
        "Items added to cart disappear when customer goes to checkout, cart shows empty.",
    ),
    (
        "cart-empty",
        "Products removed from cart automatically",
        "Buyers add products but the cart becomes empty on refresh, they cannot proceed to pay.",
    ),
    (
        "abandoned-mail",
        "Abandoned cart emails not sent",
        "The abandoned cart reminder mails stopped going out to customers two weeks ago.",
    ),
    (
        "abandoned-mail",
        "Cart reminder email stopped",
        "No reminder email is reaching customers who left items in cart, it worked till last month.",
    ),
    (
        "order-emails",
        "Not receiving new order emails",
        "We as store owner are not getting the new order notification email anymore.",
    ),
    (
        "order-emails",
        "Order alert mail to admin missing",
        "Admin does not receive order alert mails, we only see orders when we open the dashboard.",
    ),
    # ------------------------------------------------------------------ no earlier ticket
    (
        "solo-ga4",
        "Add Google Analytics 4",
        "Please add our GA4 measurement ID G-XYZ123 to the store.",
    ),
    (
        "solo-logo",
        "Change store logo",
        "We have a new logo for Diwali, please help replace the one in the header.",
    ),
    (
        "solo-staff",
        "Add staff login for my manager",
        "I want my shop manager to have access to orders but not to payouts.",
    ),
    (
        "solo-blog",
        "Blog section on website",
        "Can we have a blog on our store to post recipes with our spices?",
    ),
    (
        "solo-instagram",
        "Instagram shopping integration",
        "How do we connect our product catalogue to Instagram shop tags?",
    ),
    (
        "solo-bulk-price",
        "Increase all prices by 5%",
        "Due to GST change we need every product price raised 5 percent, can you do it in bulk?",
    ),
    (
        "solo-size-chart",
        "Size chart for apparel",
        "Want to show a size chart popup on all t-shirt products.",
    ),
    (
        "solo-gst-change",
        "Update GSTIN",
        "Our company got a new GST registration number, please update it in store settings.",
    ),
    (
        "solo-loyalty",
        "Loyalty points program",
        "Is there a way to give customers reward points on every purchase?",
    ),
    (
        "solo-holiday",
        "Close store for a week",
        "We are on holiday from 20th to 27th, can the store show a closed message and stop orders?",
    ),
    (
        "solo-reviews",
        "Delete fake review",
        "Someone posted an abusive review on our saree listing, please remove it.",
    ),
    (
        "solo-fb-pixel",
        "Facebook pixel setup",
        "Our ads agency needs the Meta pixel installed on the checkout pages.",
    ),
    (
        "solo-upgrade",
        "Upgrade to premium plan",
        "What is the cost to move from basic to premium plan and what extra do we get?",
    ),
    (
        "solo-business-name",
        "Change business name",
        "We changed our firm name from Sharma Traders to Sharma Home LLP, update everywhere please.",
    ),
    (
        "solo-warehouse",
        "Add second warehouse",
        "We opened a godown in Pune, want orders from Maharashtra shipped from there.",
    ),
    (
        "solo-min-order",
        "Minimum order value",
        "Set a minimum order of 499 rupees for cash on delivery orders.",
    ),
    ("solo-faq", "FAQ page", "Please create an FAQ page with the questions we sent by mail."),
    (
        "solo-guest",
        "Allow guest checkout",
        "Customers should be able to buy without creating an account.",
    ),
    (
        "solo-test-products",
        "Remove test products",
        "There are 10 dummy products named test from setup, kindly delete them.",
    ),
    (
        "solo-video",
        "Video on product page",
        "Can we add a YouTube video below the product description?",
    ),
    (
        "solo-favicon",
        "Favicon still default",
        "Browser tab shows the platform icon, we want our own favicon.",
    ),
    (
        "solo-sale-schedule",
        "Schedule sale prices",
        "We want the Republic Day sale prices to start automatically on 26 Jan midnight.",
    ),
    (
        "solo-paypal",
        "Add PayPal for international buyers",
        "Foreign customers are asking to pay with PayPal, is it possible?",
    ),
    (
        "solo-account-delete",
        "Customer wants data deleted",
        "A customer mailed asking us to delete her account and personal details.",
    ),
    (
        "solo-gift-card",
        "Sell gift cards",
        "We would like to sell digital gift cards of 500 and 1000 on the store.",
    ),
    (
        "solo-whatsapp-button",
        "WhatsApp chat button",
        "Add a floating WhatsApp chat button with our number on all pages.",
    ),
    (
        "solo-meeting",
        "Call with account manager",
        "Need a call this week to discuss our festive season plans.",
    ),
    (
        "solo-packing-slip",
        "Packing slip format",
        "Can the packing slip show the customer phone number and our return address?",
    ),
    (
        "solo-seo-title",
        "Change homepage SEO title",
        "Google shows our old tagline, please change the meta title of the home page.",
    ),
    (
        "solo-tax-report",
        "Monthly GST report download",
        "Where can I download the month wise tax report for my CA?",
    ),
    (
        "solo-cod-charge",
        "Extra charge for COD",
        "Want to add 40 rupees fee when customer chooses cash on delivery.",
    ),
    (
        "solo-custom-domain",
        "Connect new domain",
        "We bought sharmahome.in from GoDaddy, how do we point it to our store?",
    ),
]
