"""The words of the demo: ticket templates (subjects and conversations an e-commerce merchant
and a support team would write) and the scripted stories, as text that ``demo.loader`` parses.
"""

CONTENT = """
== gateway transactions-failing kalpana
subject: Payment gateway failing — every checkout declined
description: Since about {hour} every payment on {store} fails with 'Transaction declined by
  gateway'. Cards, UPI and netbanking all fail, and we have a sale running. Order {order} was
  the last one that went through.
reply: We can reproduce it: the gateway rejects our payment requests with an expired-key error.
  Next update within the hour.
merchant: Any news? We are losing orders every minute.
followup: The gateway rotated your API keys overnight; the new keys are in and payments flow.
  Please confirm with a test order.
thanks: Test order went through with UPI and a card. Thank you!
resolution: Keys rotated, webhook secret updated, and an alert added for key expiry.
question: Did anyone on your side regenerate the gateway keys recently?
answer: Not that we know of. Our accountant logged in to the gateway dashboard yesterday.
workaround: Checkout now uses the backup gateway: customers can pay while we fix the primary.
== down store-down
subject: {store} is down — 502 Bad Gateway
description: The whole storefront shows '502 Bad Gateway' since {hour}. The admin still loads.
reply: Confirmed: one of the hosting nodes behind {store} stopped answering. We are on it.
merchant: Still down here, on mobile and desktop.
followup: Traffic is moved to a healthy node and the site answers again. We are watching it.
thanks: All good now, orders are coming in.
resolution: Root cause: the cache node's disk filled up with logs. Cleaned, log rotation fixed,
  alert added. Sorry for the disruption.
workaround: The storefront is served from the standby node while we repair the primary.
== reports reports-no-data
subject: Sales dashboard shows zero orders since midnight
description: The sales report shows 0 orders for today, but there are {n} orders in the order
  list. Our morning stand-up runs on this report.
reply: We see it too: the nightly report job failed. Re-running it now.
merchant: Still zero on the dashboard.
followup: Today's figures are back; yesterday's are being rebuilt.
thanks: Numbers match the order list now.
resolution: The report job ran out of memory on a large import; it runs in batches now.
workaround: Today's report is rebuilt by hand and refreshed every 15 minutes until the job is
  fixed.
== coupons feature-broken
subject: Discount coupons not applying at checkout
description: Coupon {code} shows 'applied' but the discount is not taken off the total. It is
  our campaign code, mailed to 40,000 customers this morning.
reply: Thanks — we can reproduce it with {code}. Looking at the checkout rules.
merchant: Customers are emailing us screenshots. How long?
followup: Found it: the coupon excludes sale items, and every item of the campaign is on sale.
thanks: Unticked 'exclude sale items' and it works. Thanks for explaining.
resolution: The rule applies now; the coupon form warns when a coupon excludes every item of
  its campaign.
question: Should the code also apply to items already on sale, or only to full-price items?
answer: To everything in the campaign collection, sale or not.
== shipping feature-broken northwind
subject: Shipping rates not calculated for {postcode} postcodes
description: Checkout says 'No shipping methods available' for postcodes starting {postcode}.
  Those customers cannot complete their order.
reply: Reproduced with {postcode}: the courier's rate API answers an error for those areas.
merchant: Any progress? Three abandoned checkouts this morning.
followup: The courier changed its zone list; we updated the mapping and added a fallback rate.
thanks: Works for the postcodes we tried.
resolution: Zone mapping updated and a flat-rate fallback configured, so checkout always offers
  a shipping method.
question: Which courier service should be the fallback for remote postcodes?
answer: The 48h tracked service; we can absorb the cost.
== cart-mail feature-broken
subject: Abandoned-cart emails stopped sending
description: We usually recover 20–30 abandoned carts a day; since {day} there are none and the
  email log shows nothing sent.
reply: The job has not sent anything since then. Checking the scheduler and the mail provider.
merchant: This is about 15 % of our revenue, please prioritise.
followup: The mail provider suspended your sending domain after a DNS change. Records are fixed
  and sending has resumed.
thanks: Recovered two carts already this afternoon.
resolution: SPF and DKIM records restored; we now alert when the job stops sending.
question: Did your team change DNS records for your domain last week?
answer: Yes, we moved the domain to a new registrar on Monday.
== cod feature-broken kalpana
subject: Cash on delivery missing at checkout
description: COD disappeared from checkout for all orders this morning. Half our orders are COD.
reply: Confirmed: the COD order limit was set to 0 in yesterday's settings update.
merchant: Can you restore it? We did not change anything.
followup: Restored the limit to ₹10,000 as it was; COD shows again.
thanks: Thanks, COD orders are back.
resolution: COD limit restored; the settings page asks for confirmation before a limit of 0.
== images ui-design
subject: Product images not loading on collection pages (mobile)
description: On phones the collection pages show grey boxes instead of product images; desktop
  is fine. Example: {store}/collections/new-arrivals
reply: Reproduced on Android Chrome: the lazy-loading script fails with the new theme version.
merchant: It also happens on iPhone Safari.
followup: A theme fix is ready; we are testing it on a copy of your store.
thanks: Looks right on my phone now.
resolution: Theme patched (lazy-load threshold and WebP fallback); images load on every
  collection page we checked.
question: Did you install the 'Image optimiser' app last week? The timing matches.
answer: Yes, it was installed on Tuesday.
== menu ui-design
subject: Mega menu overlaps the home banner on iPad
description: On iPad in portrait the mega menu opens behind the hero banner and cannot be used.
reply: Thanks for the screenshots; it is a stacking issue in the header styles.
merchant: Same on a Kindle Fire, fyi.
followup: Fixed in the header styles; please clear your cache and check.
thanks: Works now.
resolution: Header stacking fixed for tablet widths.
== csv functionality
subject: Bulk product import fails on row {n}
description: Importing our new collection (600 rows) stops at row {n} with 'Unexpected error';
  nothing after it is imported.
reply: We are looking at the file. It is a parsing error, not a server fault.
merchant: Tried again with a smaller file, same thing.
followup: Row {n} has an unescaped quote in the description column.
thanks: Fixed the row and everything imported.
resolution: The importer now names the row and column instead of 'Unexpected error'.
== sitemap functionality
subject: sitemap.xml does not list new products
description: Products added in the last two weeks are missing from sitemap.xml and Google has
  not indexed them.
reply: Confirmed: the sitemap is regenerated weekly and the last run failed.
merchant: Can you trigger it now?
followup: Regenerated; the new products are listed. We are fixing the weekly job.
thanks: I can see them in the sitemap.
resolution: Sitemap job fixed; it runs nightly now.
== spam functionality
subject: Order confirmation emails landing in spam
description: Several customers say our order confirmations go to spam (Gmail and Outlook).
reply: Checking your sending domain's records.
merchant: Another customer complained today.
followup: DMARC is missing for your domain; the record to add at your DNS provider is attached.
thanks: Added it this morning.
resolution: DMARC verified; test mails land in the inbox at Gmail and Outlook.
== ios app-submission
subject: Submit the iOS app update (2.4) to the App Store
description: Please submit version 2.4 of our iOS app with the new wishlist. Screenshots and
  release notes are attached.
reply: We have the build and submit it today; Apple's review takes 1–3 days.
merchant: Any word from Apple?
followup: Apple asked for a demo account to review the wishlist; we provided one.
thanks: Great, fingers crossed.
resolution: Version 2.4 is approved and live on the App Store.
question: Apple needs a demo customer account with an order in it. Can you create one?
answer: Created reviewer@ with a sample order; the password is in the portal note.
== android app-submission
subject: Android app update rejected by Google Play
description: Google Play rejected our update citing the 'data safety' form. What do we change?
reply: We will correct the data safety declaration and resubmit.
merchant: Do you need anything from us?
followup: Resubmitted with the corrected declaration.
thanks: Thanks for handling it.
resolution: Google approved the update; it is rolling out.
question: Does the app still use the location permission for store pickup?
answer: No, we removed store pickup in the last release.
== gst account-billing kalpana
subject: GST invoice for {month} is missing our GSTIN
description: The platform invoice for {month} does not show our GSTIN, so we cannot claim the
  input credit.
reply: Sorry: your GSTIN was not on the billing profile. We will reissue the invoice.
merchant: Our accountant needs it before the 20th for GSTR-3B.
followup: The reissued invoice with your GSTIN is attached to this ticket.
thanks: Received, thank you.
resolution: Invoice reissued; the GSTIN is on the billing profile for future invoices.
question: Please confirm your GSTIN and the registered address to print.
answer: GSTIN 33AABCK1234F1Z5, Kalpana Handlooms, 14 Kamaraj Road, Madurai.
== double account-billing
subject: Charged twice for the account-manager subscription
description: Our card statement shows two charges for this month's account-manager subscription.
reply: We see two captures; one is a retry that should have been voided.
merchant: Please refund the duplicate.
followup: Refund issued; it takes 5–7 working days to show.
thanks: Thanks.
resolution: Duplicate charge refunded.
== hindi feature-request kalpana
subject: Add a Hindi language option to the storefront
description: Many of our customers would prefer Hindi. Can the storefront offer a Hindi version
  with a language switcher?
reply: Thanks for the request. The theme can be translated; product texts need your translation.
merchant: We can provide the product translations.
followup: We will send a quote for the theme translation and the switcher.
thanks: Okay.
resolution: Hindi theme and language switcher are live; product translations go in the admin.
== paylater feature-request
subject: Pay-later option at checkout
description: Could you add a buy-now-pay-later option at checkout? Our competitors offer it.
reply: Noted. Two providers serve your region; we will share the options.
merchant: We prefer the one with no cost to customers.
followup: We can integrate it as a paid customisation; a quote follows.
thanks: Sounds good.
resolution: Pay-later is live at checkout for orders above the provider's minimum.
== typo minor
subject: Typo in the footer: 'Privacy Polciy'
description: Small one: the footer link says 'Privacy Polciy'.
reply: Thanks for spotting it!
merchant: No rush.
followup: Fixed in the theme.
thanks: Thanks.
resolution: Footer text corrected.
== favicon minor
subject: Favicon still shows the old logo
description: We uploaded the new logo a month ago but browsers still show the old favicon.
reply: The favicon is set separately from the logo; we will update it.
merchant: Here is a square version of the logo.
followup: Updated; browsers may keep the old one for a few days.
thanks: Looks right in a private window.
resolution: Favicon replaced with the new logo.
"""

STORIES = """
# A C1 at night: a workaround within two hours (C1 -> C2), then fixed and closed.
gateway kalpana 9 02:40
25m arun say @reply
20m arun note Gateway status page is green; their key API answers 401.
40m merchant say @merchant
30m arun workaround @workaround | reason=backup gateway enabled
7h meera say @followup
2h merchant say @thanks
1h meera resolve @resolution
1d merchant close | rating=4; comment=Great save at 3 am.

# Store down on a Saturday evening in London: answered in minutes, fixed within the hour.
down northwind 3 21:10 sat
9m fatima say @reply
12m merchant say @merchant
15m fatima say @followup
10m fatima resolve @resolution
14h merchant close | rating=5; comment=Back within the hour, on a Saturday.

# A C1 at night answered late: both C1 targets breached; rated low.
reports kalpana 13 23:30 requester=1
3h10m arun say @reply
8h merchant say @merchant
1h arun resolve @resolution
5h merchant close | rating=2; comment=Nobody answered for three hours.

# C2 triaged with the policy's due date; a question now waits on the merchant.
coupons kalpana 4 11:15
30m meera triage | assignee=fatima
20m fatima say @reply
1d fatima ask @question

# C2 in progress for a week: the resolution target breached on the way.
shipping northwind 8 09:40
1h meera triage | assignee=rohan
30m rohan say @reply
3h merchant say @merchant
1d rohan ask @question
3h merchant say @answer
2h rohan note Courier support ticket CR-5521 raised about the zone list.

# C2 answered two days late and still open: both targets breached.
cart-mail kalpana 18 16:20 requester=1
2d arun say @reply
2h merchant say @merchant
1h arun start
1d arun ask @question
4h merchant say @answer

# Filed as C3; triage raises it to C2, with the reason.
cod kalpana 2 09:05 priority=C3 issue_type=functionality
1h meera triage | assignee=arun; priority=C2; reason=COD is half of their orders: it hits sales
10m arun say @reply
1h arun start

# Triaged, not started yet.
images kalpana 1 12:30 requester=1
2h meera triage | assignee=fatima

# App submission (C3 + 3 business days); a due date later than the policy's, with a reason.
ios kalpana 6 15:00
1h meera triage | assignee=rohan; due=3; reason=Apple's review adds 1–3 days after we submit
10m rohan say @reply
1d rohan start

# Answered, a question, resolved and closed with a rating.
gst kalpana 10 10:45
30m meera triage | assignee=arun
30m arun say @reply
2h merchant say @merchant
3h arun ask @question
1h merchant say @answer
2h arun resolve @resolution
4h merchant close | rating=5; comment=Quick, thank you.

# A feature request quoted: the quote awaits the merchant's approval.
hindi kalpana 12 17:30
1d meera triage | assignee=rohan
10m rohan say @reply
1d merchant say @merchant
2d rohan say @followup
1h rohan quote | amount=45000; description=Hindi theme translation and language switcher

# A feature request quoted and approved: in progress.
paylater northwind 11 14:00
2h meera triage | assignee=rohan
1h rohan say @reply
1d merchant say @merchant
1d rohan quote | amount=60000; description=Pay-later provider integration at checkout
1d merchant approve | reason=Approved by our finance team

# By mail this morning, not answered yet.
spam northwind 0 08:50 channel=email requester=1

# Filed on a Sunday evening and never picked up: first response breached, still new.
sitemap northwind 4 19:30 sun

# Withdrawn by the merchant.
csv kalpana 5 13:10 store=1
40m merchant withdraw | reason=Found it myself: a stray quote on that row.

# Resolved, waiting for the merchant to close it.
typo northwind 2 10:00
3h fatima say @reply
1h fatima resolve @resolution

# Resolved, reopened by the merchant's reply, back in progress.
menu kalpana 7 11:00 store=1
2h arun say @reply
1d arun resolve @resolution
5h merchant say Still overlapping on the iPad mini.
1h arun say Thanks, reopened: looking at the mini's width.

# Resolved three weeks ago, never closed by the merchant: closed automatically.
favicon northwind 20 15:30
2h fatima say @reply
1h merchant say @merchant
1d fatima resolve @resolution
7d system close | reason=closed automatically 7 days after resolution
"""
