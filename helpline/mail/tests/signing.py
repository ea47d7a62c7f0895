"""DKIM keys made by the test and mails signed with them (dkimpy), published on the loopback
DNS server (``dnsserver``) the way a domain publishes them."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from helpline.mail.tests.dnsserver import DnsServer

SIGNED = [b"from", b"to", b"subject", b"date", b"message-id"]


@dataclass(frozen=True)
class Key:
    algorithm: bytes  # rsa-sha256, ed25519-sha256
    private: bytes  # what dkim.sign takes
    record: str  # the TXT record at <selector>._domainkey.<domain>


@cache
def rsa_key() -> Key:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return Key(b"rsa-sha256", private, f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}")


@cache
def ed25519_key() -> Key:
    key = ed25519.Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return Key(
        b"ed25519-sha256",
        base64.b64encode(seed),
        f"v=DKIM1; k=ed25519; p={base64.b64encode(public).decode()}",
    )


def publish(dns: DnsServer, domain: str, key: Key, selector: str = "s1") -> None:
    dns.add(f"{selector}._domainkey.{domain}", key.record)


def sign(raw: bytes, domain: str, key: Key, *, selector: str = "s1", length: bool = False) -> bytes:
    """``raw`` with a DKIM-Signature of ``domain`` on top (``length``: with an l= tag)."""
    header = dkim.sign(
        raw,
        selector.encode(),
        domain.encode(),
        key.private,
        include_headers=SIGNED,
        length=length,
        signature_algorithm=key.algorithm,
    )
    return bytes(header) + raw
