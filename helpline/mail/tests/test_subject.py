"""Priority tags in mail subjects (docs/policy.md, Channels) and reply-prefix stripping."""

from __future__ import annotations

import pytest

from helpline.mail.subject import priority_tags, strip_reply_prefixes

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("C1 checkout broken", "C1"),
        ("[C1] checkout broken", "C1"),
        ("checkout broken (c1)", "C1"),
        ("URGENT c1: payments", "C1"),
        ("C1-urgent", "C1"),
        ("System Down", "C1"),
        ("system down since 9am", "C1"),
        ("SYSTEM   DOWN!!", "C1"),
        ("Re: our system down again", "C1"),
        ("C2 images slow", "C2"),
        ("c3 question", "C3"),
        ("[C4] feature idea", "C4"),
        ("C3 and C2 both", "C2"),  # the highest wins
        ("C4 … actually C1", "C1"),
        ("C2 but system down", "C1"),
        ("Re: AW: [C2] slow admin", "C2"),
        ("C1_", None),
    ],
)
def test_tags(subject, expected):
    assert priority_tags(subject) == expected


@pytest.mark.parametrize(
    "subject",
    [
        "C10 report",  # not C1: a longer number
        "ABC1 order",  # letters before
        "c1ient cannot log in",  # a word that starts with c1
        "systems are down",  # not the phrase
        "the system is down",
        "C5 does not exist",
        "C0",
        "sub-C12",
        "",
        "no tag at all",
        "systemdown",
    ],
)
def test_near_misses_are_not_tags(subject):
    assert priority_tags(subject) is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: hello", "hello"),
        ("RE : hello", "hello"),
        ("Fwd: Re: AW: SV: hello", "hello"),
        ("FW: WG: hello", "hello"),
        ("Re[2]: hello", "hello"),
        ("  re:hello  ", "hello"),
        ("Réponse: hello", "Réponse: hello"),  # not a prefix we know: kept
        ("Regarding: x", "Regarding: x"),
        ("hello", "hello"),
    ],
)
def test_strip_reply_prefixes(subject, expected):
    assert strip_reply_prefixes(subject) == expected
