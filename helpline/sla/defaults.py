"""The default support policy of docs/policy.md as plain data.

Used by the seeding migration (which copies it into the editable tables), by the property
tests (every priority and issue type) and by the benchmarks. Changing a value here does not
change a running installation: the policy lives in the database and is edited in the admin.
"""

from __future__ import annotations

from typing import Final

BUSINESS: Final = "business-in"
ALWAYS: Final = "24x7"

HOUR = 60  # minutes
BUSINESS_DAY = 8 * HOUR

# Calendars: weekly intervals are (weekday 0=Monday, "HH:MM" start, "HH:MM" end), local time.
CALENDARS: Final[list[dict[str, object]]] = [
    {
        "slug": BUSINESS,
        "name": "Business hours (IST)",
        "zone": "Asia/Kolkata",
        "always_open": False,
        "country": "IN",
        "subdivision": "",
        "intervals": [(day, "10:00", "18:00") for day in range(5)],
    },
    {
        "slug": ALWAYS,
        "name": "Around the clock (24×7)",
        "zone": "Asia/Kolkata",
        "always_open": True,
        "country": "",
        "subdivision": "",
        "intervals": [],
    },
]

# (code, rank, name, subject tags, guideline description)
PRIORITIES: Final[list[dict[str, object]]] = [
    {
        "code": "C1",
        "rank": 1,
        "name": "Critical — System Down",
        "description": (
            "Your customers are not able to access website or apps. Your customers are not "
            "able to make any transactions. Your reports are not showing data, or the interface "
            "is unavailable to multiple users."
        ),
    },
    {
        "code": "C2",
        "rank": 2,
        "name": "High",
        "description": (
            "Customer journey on online store and reporting are working, but other functions "
            "are not which are important for business and impacting the sales directly."
        ),
    },
    {
        "code": "C3",
        "rank": 3,
        "name": "Normal",
        "description": (
            "Standard functionality issues which is already been delivered or in the system. "
            "UI and Design Issues on website."
        ),
    },
    {
        "code": "C4",
        "rank": 4,
        "name": "Low",
        "description": ("Minor issues with your system. Product enhancement or feature requests."),
    },
]

FIRST_RESPONSE: Final = "first_response"
RESOLUTION: Final = "resolution"
TARGET_KINDS: Final = (FIRST_RESPONSE, RESOLUTION)

# priority -> kind -> (minutes, calendar slug, guideline goal minutes or None)
TARGETS: Final[dict[str, dict[str, tuple[int, str, int | None]]]] = {
    "C1": {FIRST_RESPONSE: (2 * HOUR, ALWAYS, None), RESOLUTION: (6 * HOUR, ALWAYS, 2 * HOUR)},
    "C2": {FIRST_RESPONSE: (4 * HOUR, BUSINESS, None), RESOLUTION: (24 * HOUR, BUSINESS, None)},
    "C3": {
        FIRST_RESPONSE: (BUSINESS_DAY, BUSINESS, None),
        RESOLUTION: (5 * BUSINESS_DAY, BUSINESS, None),
    },
    "C4": {
        FIRST_RESPONSE: (2 * BUSINESS_DAY, BUSINESS, None),
        RESOLUTION: (10 * BUSINESS_DAY, BUSINESS, 5 * BUSINESS_DAY),
    },
}

# slug, name, default priority, description
ISSUE_TYPES: Final[list[tuple[str, str, str, str]]] = [
    ("store-down", "Store is down", "C1", "Customers cannot reach the store or its apps."),
    (
        "transactions-failing",
        "Transactions failing",
        "C1",
        "Customers cannot make any transactions (checkout or payment fails for everyone).",
    ),
    ("reports-no-data", "Reports show no data", "C1", "Reports are not showing any data."),
    (
        "admin-unavailable",
        "Admin unavailable",
        "C1",
        "The admin interface is unavailable to multiple users.",
    ),
    (
        "feature-broken",
        "Feature broken (sales impact)",
        "C2",
        "Storefront and reporting work, but a function that hits sales directly does not.",
    ),
    ("ui-design", "UI or design issue", "C3", "Something on the website looks or lays out wrong."),
    (
        "functionality",
        "Functionality issue",
        "C3",
        "Standard functionality that was already delivered does not work as it should.",
    ),
    (
        "app-submission",
        "App submission",
        "C3",
        "Submitting the store's mobile apps to the app stores (takes 3 extra business days).",
    ),
    ("account-billing", "Account or billing", "C3", "Questions about the account or charges."),
    ("feature-request", "Feature request", "C4", "Product enhancement or a new feature."),
    ("minor", "Minor issue", "C4", "A minor issue with the system."),
]

# (issue type, priority, kind, minutes): absolute targets replacing the priority's; the
# priority's calendar is kept.
OVERRIDES: Final[list[tuple[str, str, str, int]]] = [
    ("app-submission", "C3", RESOLUTION, 8 * BUSINESS_DAY),
    ("store-down", "C1", FIRST_RESPONSE, 15),
    ("store-down", "C1", RESOLUTION, 60),
]

# The escalation chain (docs/policy.md, Ownership and routing): per priority, steps of (percent
# of a pending target's length, whom to tell). 100 is the breach. Whom: "assignee_or_lead" (the
# assignee, or the team lead when nobody is assigned), "assignee", "lead", "admins", "on_call".
# A notice that would reach nobody goes one level up (assignee → lead → admins).
ESCALATION_AUDIENCES: Final = ("assignee_or_lead", "assignee", "lead", "admins", "on_call")
BREACH_PERCENT: Final = 100
_CHAIN: Final = [(50, "assignee_or_lead"), (75, "assignee lead"), (BREACH_PERCENT, "lead admins")]
ESCALATION: Final[dict[str, list[tuple[int, str]]]] = {
    "C1": [*_CHAIN[:2], (BREACH_PERCENT, "lead admins on_call")],
    "C2": list(_CHAIN),
    "C3": list(_CHAIN),
    "C4": list(_CHAIN),
}
