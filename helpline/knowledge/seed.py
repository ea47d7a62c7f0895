"""The guideline's help page as articles (decision 0220), loaded by migration 0001 so every
installation has them; staff edit them in the admin afterwards. Paraphrased from the support
guideline (docs/policy.md); the live targets table stays on /help/, computed from the policy."""

from __future__ import annotations

CATEGORY = ("getting-help", "Getting help", 10)

ARTICLES: list[tuple[str, str, str]] = [
    (
        "support-options",
        "The support you get",
        """Every merchant has four kinds of support:

1. **Platform maintenance** — included for everyone: uptime, and fixing any platform feature
   that stops working. Raise a ticket in the support center or write to the support address.
2. **Store hosting** — your store is hosted for you and watched around the clock, with 99.8 %
   uptime a year. Hosting problems are treated as priority.
3. **Support tickets** — choose your issue type; the team reviews it and assigns a due date.
   Any additional cost is quoted to you in advance. You close the ticket once you are satisfied.
4. **Account manager** — an optional add-on per store: your first point of contact by the
   platform, e-mail or WhatsApp, who keeps a progress sheet for your store.
""",
    ),
    (
        "before-a-c1",
        "Before you raise a C1 (System down)",
        """A C1 is for when your customers cannot reach your website or apps, cannot make any
transaction, your reports show no data, or the interface is unavailable to several users.

**Check first whether it has already been reported**: open platform incidents are on the
[status page](/status/), and the new-ticket form shows your open tickets that look the same.
If it is already known there is no need to file it again.

Outside business hours (10:00–18:00 IST, Monday to Friday, except holidays) only C1 issues
are handled. By e-mail, put **C1** in the subject line; we answer within two hours.
""",
    ),
    (
        "priorities",
        "Which priority to choose",
        """- **C1, critical** — customers cannot access the website or apps or make any
  transaction; reports show no data.
- **C2, high** — the customer journey and reports work, but another function important for
  sales does not.
- **C3, normal** — a standard function or a design issue on the website. An app submission
  takes 3 business days more.
- **C4, low** — minor issues, enhancements and feature requests.

The targets for each are on the [help page](/help/). They are goals: an issue escalated to
engineering may take longer.
""",
    ),
    (
        "account-manager",
        "What your account manager does",
        """Your account manager is your first point of contact for requests and concerns about
your store. They call, write or meet with you when you ask, keep a progress sheet of your
store, and open internal tickets for developers when a request needs them, then tell you when
it is done.

For content privacy they do not put data or content on your website for you, but they train
you whenever you need. One account manager looks after one store; another store managed by a
separate team gets its own account manager and subscription.
""",
    ),
]
