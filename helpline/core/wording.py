"""How alike two support texts are, in the words merchants use (decision 0220). Pure functions.

A text becomes a set of *terms*: its words lower-cased, stop words and bare numbers dropped,
a light suffix stripped ("images" → "image", "loading" → "load"), and each word of a known
family replaced by the family's name ("pictures", "photos" → ``image``; "502", "unreachable",
"outage" → ``down``), so two merchants who describe one problem in different words share terms.
Each term carries a weight: words every support text has ("customer", "store", "order",
"error") count little, the rest fully. ``similarity`` is the cosine of the two weighted sets,
0–1, absolute (not relative to the best candidate): it means the same thing whatever else is
in the database, which is what lets a threshold say "nothing here is the same problem".

The families are written for e-commerce support, in English and a little Hindi; a word not in
them is still a term of its own.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

WORD = re.compile(r"[^\W_]+", re.UNICODE)

_STOP_WORDS = """a an and are as at be been but by can cannot could did do does doing dont for from
get gets got had has have having he her here hi him his how i if in into is it its just kindly
me more my no not now of on or our ours out over please pls same she should since so some
still such than thank thanks that the their them then there these they this those through
to too under until up us very want was we were what when where which while who why will
with would yet you your all any also again am each every few hello help need needs only
other own right say says said one even though being go goes after back seem seems ask asked
asking check checked let know like sure kind today yesterday morning last week weeks month
day days time times ago anymore already always never new able unable whole
add remove delete change create set setup enable disable install make put replace"""
STOP = frozenset(_STOP_WORDS.split())

# family name → its words (each stemmed when the table is built). A word belongs to one family.
# fmt: off
FAMILIES: dict[str, tuple[str, ...]] = {
    "pay": ("payment", "pay", "paying", "paid", "card", "upi", "netbanking", "transaction",
            "razorpay", "paytm", "भुगतान"),
    "checkout": ("checkout", "purchase", "चेकआउट"),
    "decline": ("declined", "decline", "rejected", "reject", "refused"),
    "down": ("down", "502", "503", "504", "gateway", "outage", "unreachable", "offline",
             "inaccessible", "timeout", "unavailable"),
    "blank": ("blank", "white", "empty", "nothing", "zero", "disappeared", "vanished", "gone",
              "missing", "grey", "gray"),
    "image": ("image", "images", "picture", "photo", "pic", "thumbnail", "img"),
    "invoice": ("invoice", "bill", "receipt"),
    "tax": ("gst", "gstin", "tax", "vat"),
    "app": ("app", "android", "ios", "iphone", "ipad", "playstore", "play", "appstore"),
    "release": ("submission", "submitted", "submit", "release", "released", "publish",
                "published", "live", "version", "review"),
    "report": ("report", "dashboard", "statistics", "stats"),
    "login": ("login", "signin", "sign", "log", "password", "locked", "access"),
    "otp": ("otp", "sms", "verification"),
    "ship": ("shipping", "delivery", "courier", "shipment", "dispatch", "freight",
             "awb", "delhivery", "shiprocket", "bluedart"),
    "coupon": ("coupon", "discount", "promo", "voucher", "offer"),
    "ssl": ("ssl", "certificate", "https", "secure", "padlock", "insecure"),
    "stock": ("stock", "inventory", "quantity", "qty", "sold"),
    "refund": ("refund", "refunded", "reimburse", "chargeback"),
    "mail": ("email", "mail", "mails", "emails", "gmail"),
    "notify": ("notification", "notify", "alert", "confirmation", "reminder"),
    "search": ("search", "searching", "find", "finding", "results"),
    "cod": ("cod", "cash"),
    "payout": ("payout", "settlement", "settle", "settled", "credited", "credit", "remittance",
               "transfer", "bank"),
    "slow": ("slow", "slowly", "sluggish", "lag", "speed", "performance", "seconds", "loading"),
    "banner": ("banner", "slider", "carousel", "hero"),
    "update": ("update", "updating", "sync", "syncing", "reduce", "refresh"),
    "weight": ("weight", "heavy", "large", "big", "bulky", "kg"),
    "expire": ("expire", "expired", "expiry", "lapsed", "renew"),
    "phone": ("phone", "mobile", "smartphone"),
    "money": ("money", "amount", "rupees", "rs", "inr"),
    "crash": ("crash", "crashes", "crashing", "closes", "freeze", "freezes", "hang"),
    "price": ("price", "pricing", "mrp", "cost", "rate", "rates", "charge", "charges", "fee"),
    "import": ("import", "upload", "csv", "excel", "xlsx", "bulk"),
    "cart": ("cart", "basket", "bag"),
    "return": ("return", "returns", "exchange", "rma"),
    "variant": ("variant", "size", "colour", "color", "option", "dropdown"),
    "pincode": ("pincode", "pin", "zipcode", "postcode", "serviceable", "serviceability"),
    "whatsapp": ("whatsapp", "wa"),
    "domain": ("domain", "dns", "godaddy", "subdomain"),
    "language": ("language", "translation", "translate", "tamil", "hindi", "marathi"),
    "seo": ("seo", "sitemap", "meta"),
    "tracking": ("ga4", "pixel", "tracking", "tag", "gtm"),
    # generic: every support text says these; they count little (WEAK below)
    "customer": ("customer", "customers", "buyer", "shopper", "visitor", "user", "client",
                 "people", "nobody", "ग्राहक"),
    "store": ("store", "shop", "website", "site", "storefront", "web", "online", "domain",
              "page", "pages", "homepage"),
    "order": ("order", "orders", "ऑर्डर"),
    "product": ("product", "item", "catalogue", "catalog", "listing", "sku"),
    "fail": ("fail", "failed", "failing", "failure", "error", "errors", "broken", "wrong",
             "issue", "problem", "working", "work", "works", "incorrect", "invalid",
             "त्रुटि", "विफल"),
    "show": ("show", "shows", "showing", "shown", "appear", "appears", "display", "visible",
             "see", "seen", "open", "opens"),
    # "analytics" is the merchant's reports as often as a tracking tag: it says little alone
    "analytics": ("analytics",),
    "vendor": ("google", "facebook", "microsoft", "apple"),
    "receive": ("receive", "receiving", "received", "get", "getting", "come", "coming",
                "reach", "reaching", "sent", "send", "going"),
}
# fmt: on
WEAK = frozenset(
    {"customer", "store", "order", "product", "fail", "show", "receive", "vendor", "analytics"}
)
WEAK_WEIGHT = 0.35
TEXT_MAX = 2000


def stem(word: str) -> str:
    """A light English suffix strip, enough to join plurals and -ing/-ed forms."""
    if len(word) <= 3 or not word.isascii():
        return word
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not word.endswith(("ses", "xes", "ches", "shes")):
                suffix, keep = "s", ""
            word = word[: len(word) - len(suffix)] + keep
            break
    # "charge", "charged", "charging" → "charg": one form whatever the suffix was
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _family_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for family, words in FAMILIES.items():
        for word in words:
            table.setdefault(stem(word), family)
            table.setdefault(word, family)
    return table


FAMILY_OF = _family_table()


@lru_cache(maxsize=20_000)
def terms(text: str) -> frozenset[str]:
    """The terms of ``text`` (see the module's doc)."""
    out = set()
    for raw in WORD.findall((text or "")[:TEXT_MAX].lower()):
        family = FAMILY_OF.get(raw)
        if family is None:
            if raw in STOP or raw.isdigit() or len(raw) < 2:
                continue
            word = stem(raw)
            family = FAMILY_OF.get(word, word)
        out.add(family)
    return frozenset(out)


def weight(term: str) -> float:
    return WEAK_WEIGHT if term in WEAK else 1.0


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of the two weighted term sets: 0 (nothing shared) … 1 (the same terms)."""
    if not a or not b:
        return 0.0
    shared = sum(weight(t) ** 2 for t in a & b)
    if not shared:
        return 0.0
    norm_a = sum(weight(t) ** 2 for t in a)
    norm_b = sum(weight(t) ** 2 for t in b)
    return shared / math.sqrt(norm_a * norm_b)


def search_words(text: str) -> list[str]:
    """The words to look candidates up with in the full-text index: the text's own words and
    every word of each family it touches (so "pictures" finds a ticket that says "images")."""
    words: list[str] = []
    seen: set[str] = set()
    for raw in WORD.findall((text or "")[:TEXT_MAX].lower()):
        family = FAMILY_OF.get(raw) or FAMILY_OF.get(stem(raw))
        if family in WEAK:
            continue
        for word in (raw, *(FAMILIES[family] if family else ())):
            if word not in seen and word not in STOP and len(word) > 2 and not word.isdigit():
                seen.add(word)
                words.append(word)
    return words
