"""Badge tokens: a 7-byte payload signed with Ed25519, upper-case base32 for QR alphanumeric mode.

Layout (big-endian): assembly id (u16), delegate id (u24), badge version (u16), then
the 64-byte signature of CONTEXT + payload. The context is signed but not sent, so a
signature made for anything else never reads as a badge. 71 bytes are 114 base32
characters: QR version 5 (37x37) at level M, 4 (33x33) at level L. Badges expire with
their assembly (checked by the scan service and the offline desk against its last day).
"""

import base64
import binascii
import hashlib
import struct
import unicodedata
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CONTEXT = b"plenary-badge-v1:"
PAYLOAD = struct.Struct(">H3sH")
SIGNATURE_LENGTH = 64
TOKEN_BYTES = PAYLOAD.size + SIGNATURE_LENGTH
TOKEN_LENGTH = 114
MAX_ID = {"assembly": 0xFFFF, "delegate": 0xFFFFFF, "version": 0xFFFF}


class TokenError(ValueError):
    """The text is not a badge token signed by our key (garbage, truncated or forged)."""


@dataclass(frozen=True)
class BadgeClaim:
    assembly_id: int
    delegate_id: int
    version: int


@cache
def signing_key() -> Ed25519PrivateKey:
    """The key from BADGE_SIGNING_KEY; in DEBUG only, a demo key derived from SECRET_KEY."""
    raw = (settings.BADGE_SIGNING_KEY or "").strip()
    if not raw:
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                "BADGE_SIGNING_KEY is not set: give base64 of a 32-byte Ed25519 seed "
                "(python -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())')."
            )
        seed = hashlib.sha256(b"plenary-demo-badge-key:" + settings.SECRET_KEY.encode()).digest()
        return Ed25519PrivateKey.from_private_bytes(seed)
    if raw.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(raw.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("BADGE_SIGNING_KEY must be an Ed25519 private key.")
        return key
    try:
        seed = base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise ImproperlyConfigured("BADGE_SIGNING_KEY is neither PEM nor base64.") from None
    if len(seed) != 32:
        raise ImproperlyConfigured("BADGE_SIGNING_KEY must decode to 32 bytes.")
    return Ed25519PrivateKey.from_private_bytes(seed)


@cache
def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_hex() -> str:
    """The raw 32-byte public key in hex, for desks verifying offline."""
    return (
        public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    )


def issue_token(*, assembly_id: int, delegate_id: int, version: int) -> str:
    if not (0 < assembly_id <= MAX_ID["assembly"] and 0 < delegate_id <= MAX_ID["delegate"]):
        raise ValueError("assembly or delegate id out of the token's range")
    if not 0 < version <= MAX_ID["version"]:
        raise ValueError("badge version out of range")
    payload = PAYLOAD.pack(assembly_id, delegate_id.to_bytes(3, "big"), version)
    raw = payload + signing_key().sign(CONTEXT + payload)
    return base64.b32encode(raw).decode("ascii").rstrip("=")


# What a scanner may add around or inside the code and is not part of it: control characters
# (GS, RS, FS of GS1/AIM prefixes, NEL, Tab, CR), format characters (zero-width, BOM) and
# every space or separator. The desk (desk.js normalToken) drops the same set.
IGNORED_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def normal_token(text: str) -> str:
    """The text as a token is compared: ignored characters dropped, upper case, no padding."""
    kept = "".join(char for char in text if unicodedata.category(char) not in IGNORED_CATEGORIES)
    return kept.upper().rstrip("=")


def read_token(text: str) -> BadgeClaim:
    """The claim of a genuine token, or TokenError; tolerant of case, padding and what
    normal_token drops."""
    cleaned = normal_token(text)
    if len(cleaned) != TOKEN_LENGTH:
        raise TokenError("wrong length")
    try:
        raw = base64.b32decode(cleaned + "======", casefold=False)
    except (binascii.Error, ValueError):
        raise TokenError("not base32") from None
    payload, signature = raw[: PAYLOAD.size], raw[PAYLOAD.size :]
    try:
        public_key().verify(signature, CONTEXT + payload)
    except InvalidSignature:
        raise TokenError("bad signature") from None
    assembly_id, delegate_bytes, version = PAYLOAD.unpack(payload)
    return BadgeClaim(
        assembly_id=assembly_id, delegate_id=int.from_bytes(delegate_bytes, "big"), version=version
    )
