"""Fixtures for registration and tours: images, invitations, tours, approved delegates."""

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import client_for
from tests.factories import DelegateFactory
from tests.registration.factories import InvitationFactory, TourFactory

_counter = itertools.count()


def image_bytes(
    size: tuple[int, int] = (900, 600), fmt: str = "JPEG", color: str = "red", **save: object
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def photo():
    return upload(image_bytes())


@pytest.fixture
def invitation(assembly, member):
    return InvitationFactory(assembly=assembly, member=member, places=2)


@pytest.fixture
def tour(assembly):
    return TourFactory(assembly=assembly, code="city-tour", title="City tour", capacity=10)


@pytest.fixture
def make_delegate(assembly, member):
    def make(**values):
        n = next(_counter)
        values.setdefault("email", f"person{n}@example.org")
        values.setdefault("assembly", assembly)
        values.setdefault("member", member)
        return DelegateFactory(**values)

    return make


@pytest.fixture
def other_delegate(make_delegate):
    return make_delegate(full_name="Other Person")


@pytest.fixture
def other_client(other_delegate):
    return client_for(other_delegate.user)
