"""Badge photos: real images only, sane sizes, orientation applied, metadata gone, 3:4 kept."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

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


def test_a_refused_photo_is_explained_beside_the_photo_field_which_takes_the_focus(
    delegate_client, assembly, delegate
):
    # On a 360 px phone the redirect's message stood 313 px above the photo field.
    url = reverse("registration:my-photo", args=[assembly.slug])
    response = delegate_client.post(url, {"photo": upload(b"not an image at all" * 10)})
    assert response.status_code == 400
    page = response.content.decode()
    section = page[page.index('id="photo"') : page.index("</section>", page.index('id="photo"'))]
    assert "not an image" in section
    field = section[section.index('<input type="file"') :]
    assert "autofocus" in field[: field.index(">")]
    assert page.count("autofocus") == 1


def striped_jpeg(**save: object) -> bytes:
    image = Image.new("RGB", (900, 1200), "red")
    for x in range(0, 900, 30):
        image.paste((0, 0, 255), (x, 0, x + 15, 1200))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, **save)
    return out.getvalue()


def test_multi_picture_jpeg_from_a_phone_is_accepted_with_its_first_picture():
    # Ultra HDR and gain-map cameras write MPO: a JPEG with a second picture after it.
    out = io.BytesIO()
    first, second = Image.new("RGB", (900, 1200), "red"), Image.new("RGB", (900, 1200), "blue")
    first.save(out, format="MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    result = Image.open(process_photo(upload(out.getvalue())))
    assert result.getpixel((300, 400))[0] > 200  # red: the first picture


@pytest.mark.parametrize(
    ("fmt", "trailer"),
    [
        ("JPEG", b"SEFH" + bytes(range(256)) * 40),  # Samsung's trailer
        ("JPEG", b"\x00\x00\x00\x18ftypmp42" + b"\xff\xd8video" * 500),  # Google motion photo
        ("PNG", b"extra bytes after IEND" * 20),
    ],
)
def test_a_complete_picture_with_bytes_after_its_end_is_accepted(fmt, trailer):
    data = image_bytes((900, 1200), fmt=fmt) + trailer
    result = Image.open(process_photo(upload(data, name=f"p.{fmt.lower()}")))
    assert result.getpixel((300, 400))[0] > 200


@pytest.mark.parametrize("progressive", [False, True])
def test_a_cut_jpeg_with_an_end_marker_glued_on_is_refused(progressive, monkeypatch):
    # WeasyPrint turns LOAD_TRUNCATED_IMAGES on for the whole process: Pillow then fills the
    # missing half with grey. The file ends with FFD9 as a whole one does.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = striped_jpeg(progressive=progressive)
    assert "damaged or incomplete" in reason(data[: len(data) // 2] + b"\xff\xd9")


def test_a_cut_png_with_an_iend_glued_on_is_refused(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    image = Image.effect_noise((900, 1200), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    data = out.getvalue()
    iend = b"\x00\x00\x00\x00IEND\xaeB`\x82"
    assert "damaged or incomplete" in reason(data[: len(data) // 2] + iend, name="p.png")


def test_a_16_bit_grey_png_keeps_its_greys():
    # Two halves, 30% and 80% grey, in 16 bits a sample; converting clipped both to white.
    rows = (struct.pack(">H", 20000) * 300 + struct.pack(">H", 52000) * 300) * 800
    image = Image.frombytes("I;16B", (600, 800), rows)
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert Image.open(io.BytesIO(out.getvalue())).mode.startswith("I;16")
    result = Image.open(process_photo(upload(out.getvalue(), name="grey.png")))
    left, right = result.getpixel((100, 400)), result.getpixel((500, 400))
    assert abs(left[0] - 20000 // 257) <= 2
    assert abs(right[0] - 52000 // 257) <= 2


def test_a_large_palette_picture_is_refused_with_its_own_limit():
    out = io.BytesIO()
    Image.new("P", (5000, 4000)).save(out, format="PNG")
    assert "12 megapixels" in reason(out.getvalue(), name="p.png")
