"""Issue 21: the outbound address guard (is_global; 6to4, Teredo and NAT64 decoded), URLs a
person types refused as delivery would refuse them, control characters out of input and out of
spreadsheet cells."""

from __future__ import annotations

import pytest

from helpline.core.http import address_allowed, url_refusal
from helpline.core.spreadsheet import formula_safe
from helpline.core.validation import has_control

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    "ip",
    [
        "100.100.100.200",  # cloud metadata in the shared (CGNAT) 100.64.0.0/10
        "100.64.0.1",
        "192.0.0.192",  # IETF protocol assignments
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::7f00:1",  # local-use NAT64 of 127.0.0.1
        "::ffff:10.0.0.1",
        "10.0.0.1",
        "127.0.0.1",
        "169.254.169.254",
        "198.18.0.1",  # benchmarking
        "fd00::1",
        "::1",
        "224.0.0.1",
    ],
)
def test_the_guard_refuses_what_is_not_global(ip):
    assert address_allowed(ip, False) is False


@pytest.mark.parametrize(
    "ip",
    ["93.184.216.34", "2606:4700::1111", "2002:5db8:d822::1", "64:ff9b::5db8:d822", "1.1.1.1"],
)
def test_the_guard_lets_public_addresses_through(ip):
    assert address_allowed(ip, False) is True


def test_allowing_private_addresses_still_refuses_multicast():
    assert address_allowed("10.0.0.1", True) and address_allowed("127.0.0.1", True)
    assert not address_allowed("224.0.0.1", True)


@pytest.mark.parametrize(
    ("url", "https", "refused"),
    [
        ("http://127.0.0.1/hook", True, "https://"),
        ("https://127.0.0.1/hook", True, "not a public address"),
        ("https://[::1]/hook", True, "not a public address"),
        ("https://100.100.100.200/", False, "not a public address"),
        ("https://localhost/", False, "local name"),
        ("https://api.localhost/", False, "local name"),
        ("ftp://example.com/", False, "http://"),
        ("https:///nohost", False, "no host"),
    ],
)
def test_urls_typed_by_people_are_refused_as_delivery_would(url, https, refused):
    reason = url_refusal(url, allow_private=False, https=https)
    assert reason is not None and refused in reason


def test_public_urls_pass_and_private_ones_when_allowed():
    assert url_refusal("https://hooks.example.com/x", allow_private=False, https=True) is None
    assert url_refusal("http://shop.example.com/", allow_private=False) is None
    assert url_refusal("http://127.0.0.1:8000/", allow_private=True) is None


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("a\x0bb", "ab"),  # XLSX cannot hold \x0b: openpyxl raised IllegalCharacterError
        ("bell\x07", "bell"),
        ("c1\x85x", "c1x"),
        ("tab\tand\nnewline\r", "tab\tand\nnewline\r"),
        (";=cmd|' /C calc'!A0", "';=cmd|' /C calc'!A0"),
        (" ;,=1+1", "' ;,=1+1"),
        ("\x0b=1+1", "'=1+1"),  # the removed character does not hide a formula
        ("=1+1", "'=1+1"),
        ("plain; text", "plain; text"),
        (12, 12),
    ],
)
def test_cells_lose_control_characters_and_never_start_a_formula(value, cell):
    assert formula_safe(value) == cell


def test_control_characters_are_found_anywhere_in_input():
    assert has_control("a\x0bb") and has_control({"k": ["x", "\x07"]}) and has_control("\x00")
    assert has_control("\x9b")  # C1 (CSI)
    assert not has_control("tab\tnewline\ncr\r ünïcødé ✓")
