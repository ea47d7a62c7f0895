"""Expected new text of 52 replies from the shared corpus, written by hand for Helpline.

Keys are paths under the corpus root (../shared/corpora/email/). Crisp's fixtures are bare
bodies; talon's .eml files go through parse() and their `text` is what reply extraction sees.
What a person would want on the ticket: the answer itself, with the writer's sign-off name kept
("-Abhishek Kona", "Joe XXX") but the quoted history, "-- " signatures, device lines ("Sent from my
iPhone") and disclaimers gone. Matching is on whitespace-normalised text.

Chosen: every talon standard reply (12), its share-block reply and its 11 HTML replies (through
html_to_text), and 28 crisp bodies covering
each client and language family in the folder plus its tricky cases (inline answers, quotes with
no attribution, custom signatures, split attribution lines). Not chosen: crisp bodies with no
quote at all where any extractor returns the input (email_1, email_5, the "not a signature" and
"false positive" files), and the placeholder files ([DATE], [FROM]).
"""

from __future__ import annotations

from pathlib import Path

FUSCE = """Fusce bibendum, quam hendrerit sagittis tempor, dui turpis tempus erat, pharetra sodales ante sem sit amet metus.
Nulla malesuada, orci non vulputate lobortis, massa felis pharetra ex, convallis consectetur ex libero eget ante.
Nam vel turpis posuere, rhoncus ligula in, venenatis orci. Duis interdum venenatis ex a rutrum.
Duis ut libero eu lectus consequat consequat ut vel lorem. Vestibulum convallis lectus urna,
et mollis ligula rutrum quis. Fusce sed odio id arcu varius aliquet nec nec nibh."""  # noqa: E501

ALEX = "Hi. I am fine.\n\nThanks,\nAlex"

CRISP = "crisp-email-reply-parser/test/fixtures/"
TALON = "talon/standard_replies/"

EXPECTED: dict[str, str] = {
    # --- talon: whole messages (MIME), one per mail client
    TALON + "android.eml": "Hello",
    TALON + "aol.eml": "Hello",
    TALON + "apple_mail.eml": "Hello",
    TALON + "apple_mail_2.eml": "Hello",
    TALON + "comcast.eml": "Hello",
    TALON + "gmail.eml": "Hello",
    TALON + "hotmail.eml": "Hello",
    TALON + "iphone.eml": "Hello",
    TALON + "outlook.eml": "Hello",
    TALON + "sparrow.eml": "Hello",
    TALON + "thunderbird.eml": "Hello",  # answer below the quote
    TALON + "yahoo.eml": "Hello",
    "talon/reply-quotations-share-block.eml": (
        "Hi Katharine.  Sounds great.  Are there and dietry restrictions or things your husband "
        "does/doesn't like to eat?  Would you like to do a few hors d oeuvres and then a 3 or 4 "
        "course dinner?  Let me know what you think will work best and I will start working on "
        "a menu and proposal.  Thanks so much and look forward to hearing from you soon.\n \n"
        "Joe XXX"
    ),
    # --- talon: HTML bodies (through html_to_text, as parse() does for an HTML-only message)
    "talon/html_replies/gmail.html": ALEX,
    "talon/html_replies/hotmail.html": ALEX,
    "talon/html_replies/mail_ru.html": ALEX,
    "talon/html_replies/ms_outlook_2003.html": ALEX,
    "talon/html_replies/ms_outlook_2007.html": ALEX,
    "talon/html_replies/ms_outlook_2010.html": ALEX,
    "talon/html_replies/thunderbird.html": ALEX,
    "talon/html_replies/windows_mail.html": ALEX,
    "talon/html_replies/yandex_ru.html": ALEX,
    "talon/reply-separated-by-hr.html": "Hi\nthere\nBob",
    "talon/OLK_SRC_BODY_SECTION.html": "Reply",
    # --- crisp: bodies
    CRISP + "email_2.txt": (
        "Hi,\n\nYou can list the keys for the bucket and call delete for each. Or if you\n"
        "put the keys (and kept track of them in your test) you can delete them\n"
        "one at a time (without incurring the cost of calling list first.)\n\n"
        "Something like:\n\n"
        '        String bucket = "my_bucket";\n'
        "        BucketResponse bucketResponse = riakClient.listBucket(bucket);\n"
        "        RiakBucketInfo bucketInfo = bucketResponse.getBucketInfo();\n\n"
        "        for(String key : bucketInfo.getKeys()) {\n"
        "            riakClient.delete(bucket, key);\n        }\n\n\nwould do it.\n\n"
        "See also\n\nhttp://wiki.basho.com/REST-API.html#Bucket-operations\n\nwhich says\n\n"
        '"At the moment there is no straightforward way to delete an entire\n'
        "Bucket. There is, however, an open ticket for the feature. To delete all\n"
        'the keys in a bucket, you\u2019ll need to delete them all individually."'
    ),
    CRISP + "email_3.txt": ("Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona"),
    CRISP + "email_4.txt": "Awesome! I haven't had another problem with it.",
    CRISP + "email_6.txt": "I get proper rendering as well.",  # custom "Sent a …" signature
    CRISP + "email_7.txt": FUSCE,
    CRISP + "email_8.txt": FUSCE,
    CRISP + "email_9.txt": FUSCE,
    CRISP + "email_10.txt": FUSCE,
    CRISP + "email_12.txt": FUSCE,
    CRISP + "email_19.txt": "On Thursday, I get proper rendering.",
    CRISP + "email_22.txt": FUSCE,
    CRISP + "email_2_1.txt": "Outlook with a reply",
    CRISP + "email_bullets.txt": (
        "test 2 this should list second\n\nand have spaces\n\nand retain this formatting\n\n\n"
        "   - how about bullets\n   - and another"
    ),
    CRISP + "email_customer_quote_header_3.txt": (
        "bonjour,\nje n'ai pas eu de retour sur ma précision..\nmerci d'avance"
    ),
    CRISP + "email_german_outlook.txt": FUSCE,
    CRISP + "email_outlook_split_line_from.txt": FUSCE,
    CRISP + "email_ios_outlook_fr.txt": FUSCE,
    CRISP + "email_norwegian_gmail.txt": FUSCE,
    CRISP + "email_sent_from.txt": (
        "Hi it can happen to any texts you type, as long as you type in between words or "
        "paragraphs."
    ),
    CRISP + "email_zoho.txt": (
        "What is the best way to clear a Riak bucket of all key, values after\nrunning a test?"
    ),
    CRISP + "email_reply_header.txt": (
        "This is the latest reply.\n\nThe thread contains two previous replies, and the most "
        "recent reply header has a line break in it.\n\nIf we don't patch the line break, the "
        "reply header ends up in THIS fragment, instead of in the quoted fragment.\n\nOn the one "
        "hand, there could be a line in the reply starting with the word 'On.'\n\nOn the other "
        "hand, it could happen TWICE!\n\nStranger"
    ),
    CRISP + "email_thread.txt": "This is new email reply in thread from bellow.",
    CRISP + "email_sent_from_my_not_signature.txt": (
        "Here is another email\n\nSent from my desk, is much easier then my mobile phone."
    ),
    CRISP + "email_tricky_5_mixed_languages.txt": FUSCE,
    CRISP + "email_tricky_16_unicode_signatures.txt": "Thanks for the update!\n\nCheers 🎉\nSarah",
    CRISP + "email_tricky_17_forward_header.txt": "See the forwarded message below.",
    CRISP + "email_tricky_18_inline_reply.txt": (
        "I think option A is great.\n\nOption B has some drawbacks.\n\n"
        "Option C is not suitable for our use case."
    ),
    CRISP + "email_tricky_19_quote_without_header.txt": (
        "I wanted to respond to your points:\n\nMy response to the quoted text above.\n\n"
        "And my final thoughts."
    ),
}


def normalise(text: str) -> str:
    return " ".join(text.split())


def corpus_root() -> Path | None:
    """../shared/corpora/email beside the repository, or /work/shared/corpora/email."""
    repo = Path(__file__).resolve().parents[3]
    for candidate in (repo.parent / "shared/corpora/email", Path("/work/shared/corpora/email")):
        if candidate.is_dir():
            return candidate
    return None


def evaluate(root: Path) -> list[tuple[str, str, str]]:
    """(key, expected, got) for every expectation, got = our new text."""
    from helpline.mail.parse import html_to_text, parse
    from helpline.mail.quoting import extract_new_text

    results = []
    for key, expected in EXPECTED.items():
        path = root / key
        if key.endswith(".eml"):
            got = parse(path.read_bytes()).new_text
        elif key.endswith(".html"):
            html = path.read_text(encoding="utf-8", errors="replace")
            got = extract_new_text(html_to_text(html))
        else:
            got = extract_new_text(path.read_text(encoding="utf-8", errors="replace"))
        results.append((key, expected, got))
    return results
