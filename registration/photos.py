"""Badge photos: check the upload really is a sane image, then keep only a clean 3:4 crop."""

import io
import os
import threading
import uuid
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from registration.errors import PhotoRefused

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000
MAX_PALETTE_PIXELS = 12_000_000  # a palette picture takes 4 bytes a pixel once converted
MIN_SIDE = 200
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}  # MPO: a JPEG with more frames after it
BADGE_RATIO = (3, 4)  # width : height, as printed on the badge
OUTPUT_SIZE = (600, 800)
WORK_SIZE = (1200, 1600)  # twice the output: enough for a sharp crop
# A JPEG is decoded at the smallest scale (1/2, 1/4, 1/8) with both sides still at least this:
# every 3:4 crop of it then covers the 600x800 photo, whichever way EXIF turns the picture.
DECODED_SIDE = max(OUTPUT_SIZE)
# Decoding is where a photo takes memory: a hundred 20-megapixel photos uploaded at once, each
# decoded at half scale twice, took a server to 7.3 GB. A process decodes at most
# DECODES_AT_ONCE photos at a time (Pillow decodes outside the GIL: one per core); an upload
# that waited DECODE_WAIT_SECONDS for its turn is told to try again instead of waiting on.
DECODES_AT_ONCE = min(4, os.cpu_count() or 1)
DECODE_WAIT_SECONDS = 30.0
_decoding = threading.BoundedSemaphore(DECODES_AT_ONCE)


class PhotosBusy(PhotoRefused):
    code = "photos_busy"
    status = 503
    default_detail = gettext_lazy(
        "Many photos are being uploaded right now: please try again in a minute."
    )


@contextmanager
def turn_to_decode() -> Iterator[None]:
    """One of the DECODES_AT_ONCE places to decode a photo, or PhotosBusy after the wait."""
    if not _decoding.acquire(timeout=DECODE_WAIT_SECONDS):
        raise PhotosBusy()
    try:
        yield
    finally:
        _decoding.release()


def read_limited(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise PhotoRefused(
            _("The photo is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1_048_576, 1), "limit": MAX_BYTES // 1_048_576}
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoRefused(
            _("The photo is larger than %(limit)s MB.") % {"limit": MAX_BYTES // 1_048_576}
        )
    if not data:
        raise PhotoRefused(_("The file is empty."))
    return data


def check_header(data: bytes) -> None:
    """Read only the header: format and dimensions, before any pixel is decoded."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, mode, (width, height) = image.format, image.mode, image.size
    except (UnidentifiedImageError, OSError, ValueError):
        raise PhotoRefused(
            _("This file is not an image (use a JPEG, PNG or WebP photo).")
        ) from None
    except Image.DecompressionBombError:
        raise PhotoRefused(_("The image is far too large to be a photo.")) from None
    if kind not in ACCEPTED_FORMATS:
        raise PhotoRefused(
            _("%(kind)s images are not accepted: use a JPEG, PNG or WebP photo.") % {"kind": kind}
        )
    most = MAX_PALETTE_PIXELS if mode == "P" else MAX_PIXELS
    if width > MAX_SIDE or height > MAX_SIDE or width * height > most:
        raise PhotoRefused(
            _(
                "The image is %(width)sx%(height)s pixels: at most %(side)s pixels a side "
                "and %(mp)s megapixels are accepted."
            )
            % {"width": width, "height": height, "side": MAX_SIDE, "mp": most // 1_000_000}
        )
    if width < MIN_SIDE or height < MIN_SIDE:
        raise PhotoRefused(
            _(
                "The image is %(width)sx%(height)s pixels: "
                "at least %(min)s pixels a side are needed."
            )
            % {"width": width, "height": height, "min": MIN_SIDE}
        )


def jpeg_end(data: bytes) -> int | None:
    """Where the first picture's end marker (EOI) ends, found by walking its segments and
    scans; None when it has none. An MPO, a Samsung trailer or a motion photo follow it."""
    pos = 2
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
        elif marker == 0xD9:
            return pos + 2
        elif 0xD0 <= marker <= 0xD7:
            pos += 2
        else:
            pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
            if marker == 0xDA:
                pos = scan_end(data, pos)
    return None


def scan_end(data: bytes, pos: int) -> int:
    """The end of a scan's coded data: the next marker that is not a restart or a stuffed 0xFF."""
    while (pos := data.find(b"\xff", pos)) != -1 and pos + 1 < len(data):
        following = data[pos + 1]
        if following == 0xFF:
            pos += 1
        elif following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
        else:
            return pos
    return len(data)


def png_complete(data: bytes) -> bool:
    """Whether the chunks reach IEND and the compressed pixels end inside them (inflated and
    thrown away as they come, so a cut-off file with an IEND glued on is seen)."""
    inflater, pos = zlib.decompressobj(), 8
    while pos + 12 <= len(data):
        length, kind = int.from_bytes(data[pos : pos + 4], "big"), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) < length:
            return False
        if kind == b"IDAT" and not inflater.eof:
            try:
                inflater.decompress(body, 1 << 20)
                while inflater.unconsumed_tail and not inflater.eof:
                    inflater.decompress(inflater.unconsumed_tail, 1 << 20)
            except zlib.error:
                return False
        if kind == b"IEND":
            return inflater.eof
        pos += 12 + length
    return False


def check_complete(data: bytes) -> bytes:
    """The picture's own bytes, or PhotoRefused when it was cut off; what follows a complete
    picture (a phone's trailer, a second MPO frame, a motion photo's video) is dropped.

    Checked here because WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which
    makes Pillow fill a cut-off photo with grey instead of failing.
    """
    if data.startswith(b"\xff\xd8"):
        end = jpeg_end(data)
        complete = end is not None
    elif data.startswith(b"\x89PNG"):
        end, complete = len(data), png_complete(data)
    else:  # WebP: the RIFF header gives the length; libwebp refuses a short file itself
        end = int.from_bytes(data[4:8], "little") + 8
        complete = data[:4] == b"RIFF" and data[8:12] == b"WEBP" and end <= len(data)
    if not complete or end is None:
        raise PhotoRefused(_("The image file is damaged or incomplete."))
    return data[:end]


def open_for_badge(data: bytes) -> Image.Image:
    """Open and decode the picture, a JPEG at the smallest scale that still fills the badge."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
        # JPEG only: libjpeg decodes at 1/2, 1/4 or 1/8 scale (square: EXIF may turn it).
        image.draft("RGB", (DECODED_SIDE, DECODED_SIDE))
        # The whole file to the decoder in one call: Pillow lets the GIL go once, not once per
        # 64 KB. With a server's other threads busy, taking it back for each of a 7 MB photo's
        # 112 blocks had made a decode four times slower.
        image.decodermaxblock = max(image.decodermaxblock, len(data))
        image.load()
    return image


def decode(data: bytes) -> Image.Image:
    data = check_complete(data)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # structure check; the image must be reopened after it
        image = open_for_badge(data)
        if (
            data.startswith(b"\xff\xd8")
            and image.tobytes() != open_for_badge(closed_late(data)).tobytes()
        ):
            raise PhotoRefused(_("The image file is damaged or incomplete."))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(_("The image is far too large to be a photo.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRefused(_("The image file is damaged or incomplete.")) from None
    return image


def closed_late(data: bytes) -> bytes:
    """The JPEG with padding before its end marker. libjpeg skips bytes between the last scan
    and the marker, so a complete picture decodes the same; a scan that ran out (a cut file
    with an end marker glued on, decoded as grey without a word) decodes differently."""
    return data[:-2] + b"\x00" * 64 + data[-2:]


def shrink(image: Image.Image) -> Image.Image:
    """Reduce the picture to what the badge needs before any conversion widens its pixels;
    16-bit grey is scaled to 8 bits (converting would clip it to white)."""
    if image.mode == "1":
        image = image.convert("L")
    elif image.mode.startswith("I"):
        image = image.point(lambda value: value / 257, "L")
    elif image.mode == "P":
        image = image.convert("RGBA")  # keeps a transparent palette entry transparent
    factor = min(image.width // WORK_SIZE[0], image.height // WORK_SIZE[1])
    return image.reduce(factor) if factor > 1 else image


def crop_to_badge(image: Image.Image) -> Image.Image:
    image = shrink(ImageOps.exif_transpose(image))
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = image.convert("RGB")
    # Centre crop to 3:4, a little towards the top where the face usually is.
    return ImageOps.fit(image, OUTPUT_SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))


def process_photo(upload: UploadedFile) -> ContentFile:
    """A clean JPEG (3:4, 600x800, no metadata) made from the upload, or PhotoRefused saying why
    (PhotosBusy when too many are being decoded for its turn to come soon)."""
    with turn_to_decode():  # the upload is read into memory only when its turn has come
        data = read_limited(upload)
        check_header(data)
        image = crop_to_badge(decode(data))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : metadata dropped
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
