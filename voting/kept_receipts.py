"""Receipt codes kept a few minutes for the voter's own browser, sealed with a key only it holds.

A Confirm whose answer never arrives (a double tap on a slow network, wifi lost after the
commit) would lose the code for good. So the codes just issued stay in the cache (never the
database) for KEPT_SECONDS under the voter's session, encrypted with a key that lives only in
a cookie of the voter's browser: whoever reads the cache without that browser reads noise, and
once the cookie is gone (KEY_SECONDS) so is any way to read it. Only the member names and
codes the voter was given are sealed, never the choice (a ciphertext's length would tell it).
"""

import base64
import binascii
import hashlib
import json
import secrets
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from voting.services import Receipt

KEY_COOKIE = "plenary_receipt_key"
KEPT_SECONDS = 5 * 60
KEY_SECONDS = 15 * 60
# A Confirm sent twice at once runs as two requests: the second waits this long for the codes
# the first keeps.
SENDING_SECONDS = 30
# The full hall's slowest ballot answer took 2.6 s; the phone waits for an answer anyway.
WAIT_SECONDS = 10.0
WAIT_STEP = 0.05


def browser_key(request: HttpRequest) -> bytes | None:
    """The browser's sealing key from its cookie, or None (missing or not a key)."""
    try:
        key = base64.urlsafe_b64decode(request.COOKIES.get(KEY_COOKIE, "").encode())
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == 32 else None


def new_key() -> bytes:
    return secrets.token_bytes(32)


def give_key(response: HttpResponse, *, key: bytes, path: str) -> None:
    """Hand the key to the browser (again): only the voting pages under path receive it."""
    response.set_cookie(
        KEY_COOKIE,
        base64.urlsafe_b64encode(key).decode(),
        max_age=KEY_SECONDS,
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def _session_part(request: HttpRequest) -> str | None:
    key = request.session.session_key
    return hashlib.sha256(key.encode()).hexdigest() if key else None


def _kept_key(request: HttpRequest, poll_id: int) -> str | None:
    session = _session_part(request)
    return f"voting:kept-receipts:{session}:{poll_id}" if session else None


def _sending_key(request: HttpRequest, form: str) -> str | None:
    session = _session_part(request)
    return f"voting:sending:{session}:{_digest(form)}" if session and form else None


def start_sending(request: HttpRequest, *, form: str) -> bool:
    """Mark this form as being cast; False when another request of it is casting already."""
    key = _sending_key(request, form)
    return key is None or cache.add(key, 1, SENDING_SECONDS)


def done_sending(request: HttpRequest, *, form: str) -> None:
    if key := _sending_key(request, form):
        cache.delete(key)


def keep(
    request: HttpRequest, *, poll_id: int, form: str, key: bytes, receipts: list[Receipt]
) -> None:
    """The codes just issued (member and code only), sealed for this browser for KEPT_SECONDS,
    with the form they answer (so a repeat of it is known even before the session says so)."""
    where = _kept_key(request, poll_id)
    if where is None:
        return
    held = cache.get(where) or {"forms": [], "sealed": b""}
    codes = [
        *_unsealed(key, poll_id, held["sealed"]),
        *({"member": r.member, "code": r.code} for r in receipts),
    ]
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(codes).encode(), str(poll_id).encode())
    forms = [*held["forms"], _digest(form)]
    cache.set(where, {"forms": forms, "sealed": nonce + sealed}, KEPT_SECONDS)


def _digest(form: str) -> str:
    return hashlib.sha256(form.encode()).hexdigest()


def _unsealed(key: bytes, poll_id: int, sealed: bytes) -> list[dict[str, str]]:
    if not sealed:
        return []
    try:
        return json.loads(AESGCM(key).decrypt(sealed[:12], sealed[12:], str(poll_id).encode()))
    except (InvalidTag, ValueError):  # sealed with an earlier key of this browser: unreadable
        return []


def kept_codes(request: HttpRequest, *, poll_id: int) -> list[dict[str, str]]:
    """The codes this browser was given for the poll in the last minutes, if it holds the key."""
    key, where = browser_key(request), _kept_key(request, poll_id)
    if key is None or where is None:
        return []
    return _unsealed(key, poll_id, (cache.get(where) or {}).get("sealed", b""))


def form_kept(request: HttpRequest, *, poll_id: int, form: str) -> bool:
    """Whether this form's ballot was cast from this session in the last minutes."""
    where = _kept_key(request, poll_id)
    return bool(form and where) and _digest(form) in (cache.get(where) or {}).get("forms", [])


def has_kept(request: HttpRequest, *, poll_id: int) -> bool:
    where = _kept_key(request, poll_id)
    return where is not None and browser_key(request) is not None and where in cache


def wait_while_sending(request: HttpRequest, *, form: str) -> None:
    """Wait (a moment at most) for the request casting this form to finish: a Confirm sent
    twice at once is two requests, and the second shows the codes the first keeps."""
    sending = _sending_key(request, form)
    deadline = time.monotonic() + WAIT_SECONDS
    while sending and cache.get(sending) and time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
