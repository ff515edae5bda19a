"""Badge QR codes: the standard code of the token, module for module."""

import io
import random

import qrcode
import qrcode.constants
from PIL import Image

from badges import qr, tokens
from badges.pdf_render import qr_png


def reference_modules(text: str) -> list[bytes]:
    """What the qrcode library draws at version 5, level M, mask pattern 2, border 4."""
    code = qrcode.QRCode(
        version=5, error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=2
    )
    code.add_data(qrcode.util.QRData(text, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    return [bytes(0 if dark else 255 for dark in row) for row in code.get_matrix()]


def test_badge_tokens_are_drawn_as_the_qrcode_library_draws_them():
    chosen = random.Random(5)
    texts = [
        tokens.issue_token(
            assembly_id=chosen.randrange(1, 0xFFFF),
            delegate_id=chosen.randrange(1, 0xFFFFFF),
            version=chosen.randrange(1, 0xFFFF),
        )
        for _ in range(50)
    ]
    texts += ["A", "HELLO WORLD", "$%*+-./: " * 13 + "12345"]  # odd length, every symbol, full
    for text in texts:
        assert qr.fits(text)
        assert qr.modules(text) == reference_modules(text), text


def test_a_token_too_long_for_version_5_still_gets_a_larger_code():
    text = "A" * (qr.CAPACITY + 1)
    assert not qr.fits(text)
    image = Image.open(io.BytesIO(qr_png(text, box_size=1)))
    assert image.width > len(reference_modules("A"))
