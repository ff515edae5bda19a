"""Badge tokens: compact, signed, alphanumeric, and refused when tampered with."""

import base64

import pytest
import qrcode.constants

from badges import tokens
from badges.pdf import qr_version

QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def make(**overrides):
    values = {"assembly_id": 7, "delegate_id": 123456, "version": 3}
    values.update(overrides)
    return tokens.issue_token(**values)


def test_token_is_114_characters_of_the_qr_alphanumeric_set():
    token = make()
    assert len(token) == 114
    assert set(token) <= QR_ALPHANUMERIC


def test_token_reads_back_its_claim():
    claim = tokens.read_token(make())
    assert (claim.assembly_id, claim.delegate_id, claim.version) == (7, 123456, 3)


def test_token_fits_qr_version_5_at_level_m_and_4_at_level_l():
    token = make(assembly_id=65535, delegate_id=16_000_000, version=65535)
    assert qr_version(token, qrcode.constants.ERROR_CORRECT_M) == 5
    assert qr_version(token, qrcode.constants.ERROR_CORRECT_L) == 4


def test_token_reading_tolerates_lower_case_and_spaces_from_scanners():
    token = make()
    assert tokens.read_token(" " + token.lower() + "\n").delegate_id == 123456


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1],
        lambda t: t[:60],
        lambda t: "",
        lambda t: "HELLO WORLD",
        lambda t: t[:10] + ("A" if t[10] != "A" else "B") + t[11:],
        lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),
        lambda t: "1" * 114,
        lambda t: "https://example.org/" + t,
    ],
    ids=[
        "one-short",
        "truncated",
        "empty",
        "garbage",
        "payload-flipped",
        "signature-flipped",
        "not-base32",
        "url",
    ],
)
def test_tampered_or_garbage_tokens_are_refused(mangle):
    with pytest.raises(tokens.TokenError):
        tokens.read_token(mangle(make()))


def test_token_signed_with_another_key_is_refused(settings):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate()
    payload = tokens.PAYLOAD.pack(7, (1).to_bytes(3, "big"), 1)
    forged = base64.b32encode(payload + other.sign(tokens.CONTEXT + payload)).decode().rstrip("=")
    with pytest.raises(tokens.TokenError):
        tokens.read_token(forged)


def test_signature_over_the_bare_payload_without_the_badge_context_is_refused():
    payload = tokens.PAYLOAD.pack(7, (1).to_bytes(3, "big"), 1)
    token = base64.b32encode(payload + tokens.signing_key().sign(payload)).decode().rstrip("=")
    with pytest.raises(tokens.TokenError):
        tokens.read_token(token)
