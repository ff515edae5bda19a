"""Badge photos: check the upload really is a sane image, then keep only a clean 3:4 crop."""

import io
import uuid
import warnings

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from registration.errors import PhotoRefused

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000
MIN_SIDE = 200
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
BADGE_RATIO = (3, 4)  # width : height, as printed on the badge
OUTPUT_SIZE = (600, 800)


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
            kind, (width, height) = image.format, image.size
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
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise PhotoRefused(
            _(
                "The image is %(width)sx%(height)s pixels: at most %(side)s pixels a side "
                "and %(mp)s megapixels are accepted."
            )
            % {"width": width, "height": height, "side": MAX_SIDE, "mp": MAX_PIXELS // 1_000_000}
        )
    if width < MIN_SIDE or height < MIN_SIDE:
        raise PhotoRefused(
            _(
                "The image is %(width)sx%(height)s pixels: "
                "at least %(min)s pixels a side are needed."
            )
            % {"width": width, "height": height, "min": MIN_SIDE}
        )


def is_complete(data: bytes) -> bool:
    """Whether the file ends where its format says it should.

    Checked by hand because WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which
    makes Pillow fill a cut-off photo with grey instead of failing.
    """
    if data.startswith(b"\xff\xd8"):
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if data.startswith(b"\x89PNG"):
        return b"IEND" in data[-16:]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return int.from_bytes(data[4:8], "little") + 8 <= len(data)
    return False


def decode(data: bytes) -> Image.Image:
    if not is_complete(data):
        raise PhotoRefused(_("The image file is damaged or incomplete."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # structure check; the image must be reopened after it
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(_("The image is far too large to be a photo.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRefused(_("The image file is damaged or incomplete.")) from None
    return image


def crop_to_badge(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = image.convert("RGB")
    # Centre crop to 3:4, a little towards the top where the face usually is.
    return ImageOps.fit(image, OUTPUT_SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))


def process_photo(upload: UploadedFile) -> ContentFile:
    """A clean JPEG (3:4, 600x800, no metadata) made from the upload, or PhotoRefused saying why."""
    data = read_limited(upload)
    check_header(data)
    image = crop_to_badge(decode(data))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : metadata dropped
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
