"""Badge photos: real images only, sane sizes, orientation applied, metadata gone, 3:4 kept."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from registration.errors import PhotoRefused
from registration.photos import MAX_BYTES, process_photo
from registration.services import set_photo
from tests.registration.conftest import image_bytes, upload

pytestmark = pytest.mark.django_db


def reason(data: bytes, name: str = "photo.jpg") -> str:
    with pytest.raises(PhotoRefused) as exc:
        process_photo(upload(data, name=name))
    assert exc.value.code == "photo_refused"
    return exc.value.detail


def test_landscape_jpeg_becomes_a_600_by_800_portrait_crop():
    result = Image.open(process_photo(upload(image_bytes((1600, 900)))))
    assert (result.format, result.size) == ("JPEG", (600, 800))


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_stored_as_jpeg(fmt):
    processed = process_photo(upload(image_bytes((800, 800), fmt=fmt), name=f"p.{fmt.lower()}"))
    assert Image.open(processed).format == "JPEG"


def test_exif_orientation_is_applied_and_metadata_stripped():
    # A 400x300 image tagged "rotate 90°" with a camera model and GPS-ish data in EXIF.
    image = Image.new("RGB", (400, 300), "blue")
    image.paste(Image.new("RGB", (200, 300), "yellow"), (0, 0))  # left half yellow
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x0110] = "SecretCam 3000"  # Model
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    result = Image.open(process_photo(upload(out.getvalue())))
    assert not result.getexif()
    assert "exif" not in result.info
    # After rotating 90° clockwise the yellow half is on top.
    top = result.getpixel((300, 50))
    bottom = result.getpixel((300, 750))
    assert top[0] > 200
    assert top[2] < 80
    assert bottom[2] > 150


def test_text_file_named_jpg_is_refused_as_not_an_image():
    assert "not an image" in reason(b"just text pretending to be a photo" * 10)


def test_truncated_jpeg_is_refused_as_damaged():
    data = image_bytes((900, 900))
    assert "damaged" in reason(data[: len(data) // 3])


def test_gif_is_refused_by_name():
    out = io.BytesIO()
    Image.new("RGB", (400, 400)).save(out, format="GIF")
    assert "GIF images are not accepted" in reason(out.getvalue(), name="p.gif")


def test_tiny_image_is_refused_with_its_dimensions():
    assert "50x50 pixels" in reason(image_bytes((50, 50)))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares huge dimensions: a decompression bomb in a few hundred bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding():
    detail = reason(png_header_only(60_000, 60_000), name="bomb.png")
    assert "far too large" in detail or "at most" in detail


def test_absurd_dimensions_are_refused_with_the_limits():
    detail = reason(png_header_only(9000, 300), name="strip.png")
    assert "9000x300" in detail
    assert "at most 8000 pixels" in detail


def test_oversized_file_is_refused_with_the_limit():
    big = SimpleUploadedFile("big.jpg", b"\xff" * (MAX_BYTES + 1), content_type="image/jpeg")
    with pytest.raises(PhotoRefused) as exc:
        process_photo(big)
    assert "limit is 8 MB" in exc.value.detail


def test_new_photo_replaces_and_deletes_the_old_file(delegate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = set_photo(delegate=delegate, photo=upload(image_bytes())).photo
        old_name = first.name
        storage = first.storage
        set_photo(delegate=delegate, photo=upload(image_bytes(color="green")))
    delegate.refresh_from_db()
    assert delegate.photo.name != old_name
    assert not storage.exists(old_name)
    assert storage.exists(delegate.photo.name)


def test_photo_page_shows_the_refusal_reason_and_keeps_the_old_photo(
    delegate_client, assembly, delegate
):
    url = reverse("registration:my-photo", args=[assembly.slug])
    response = delegate_client.post(
        url, {"photo": upload(b"not an image at all" * 10)}, follow=True
    )
    assert "not an image" in response.content.decode()
    delegate.refresh_from_db()
    assert not delegate.photo
