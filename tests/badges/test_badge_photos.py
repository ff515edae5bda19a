"""Badge photos uploaded by many at once: decoded small, a few at a time, and a clear answer
for one that waited too long (a hundred 7.6 MB photos had taken a server to 7.3 GB)."""

import io
import threading
import time

import pytest
from django.urls import reverse
from PIL import Image

from registration import photos
from registration.photos import PhotosBusy, process_photo
from tests.conftest import client_for
from tests.registration.conftest import upload

pytestmark = pytest.mark.django_db


def camera_jpeg(size: tuple[int, int] = (5472, 3648)) -> bytes:
    """A 20-megapixel camera photo (a gradient: the pixels' count is what decoding costs)."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def test_a_camera_photo_is_decoded_at_a_quarter_of_its_sides_and_still_fills_the_badge():
    data = camera_jpeg()

    assert photos.open_for_badge(data).size == (1368, 912)  # 1/16 of the pixels, not 1/4
    assert Image.open(process_photo(upload(data))).size == (600, 800)


def test_a_portrait_photo_turned_by_exif_is_never_decoded_below_the_badge():
    # The smallest scale keeps both sides at 800 or more: whichever way EXIF turns it, a 3:4
    # crop still covers 600x800 without being enlarged.
    decoded = photos.open_for_badge(camera_jpeg((3000, 4000)))
    assert min(decoded.size) >= 800


def test_a_process_decodes_only_a_few_photos_at_once(monkeypatch):
    decoding, most = [0], [0]
    lock = threading.Lock()
    decode = photos.decode

    def counted(data):
        with lock:
            decoding[0] += 1
            most[0] = max(most[0], decoding[0])
        try:
            time.sleep(0.05)  # long enough for every thread to arrive
            return decode(data)
        finally:
            with lock:
                decoding[0] -= 1

    monkeypatch.setattr(photos, "decode", counted)
    data = camera_jpeg((1600, 1200))
    results: list[tuple[int, int]] = []

    def one() -> None:
        results.append(Image.open(process_photo(upload(data))).size)

    threads = [threading.Thread(target=one) for _ in range(photos.DECODES_AT_ONCE + 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert results == [(600, 800)] * len(threads)
    assert most[0] == photos.DECODES_AT_ONCE


@pytest.fixture
def every_turn_taken(monkeypatch):
    """Other uploads hold every place to decode, for longer than an upload may wait."""
    monkeypatch.setattr(photos, "DECODE_WAIT_SECONDS", 0.2)
    for _ in range(photos.DECODES_AT_ONCE):
        photos._decoding.acquire()
    yield
    for _ in range(photos.DECODES_AT_ONCE):
        photos._decoding.release()


def test_an_upload_that_waited_too_long_for_its_turn_is_told_to_try_again(every_turn_taken):
    with pytest.raises(PhotosBusy) as refused:
        process_photo(upload(camera_jpeg((900, 1200))))
    assert refused.value.code == "photos_busy"
    assert "try again in a minute" in refused.value.detail


def test_the_delegate_sees_try_again_and_keeps_the_photo_they_had(
    assembly, delegate, every_turn_taken
):
    response = client_for(delegate.user).post(
        reverse("registration:my-photo", args=[assembly.slug]),
        {"photo": upload(camera_jpeg((900, 1200)))},
    )

    assert response.status_code == 400
    assert "try again in a minute" in response.content.decode()
    delegate.refresh_from_db()
    assert not delegate.photo
