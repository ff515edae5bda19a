"""Approving a delegate renders their badge once; changing a printed field renders it again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from badges.models import Badge
from registration.models import RegistrationState
from registration.services import change_state, set_photo
from tests.factories import DelegateFactory
from tests.registration.conftest import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(assembly, member):
    return DelegateFactory(
        assembly=assembly, member=member, full_name="Grace Namukasa", state="submitted"
    )


def test_approval_renders_the_badge_pdf_on_commit(
    submitted, secretariat_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_state(delegate=submitted, to_state=RegistrationState.APPROVED, by=secretariat_user)
    badge = Badge.objects.get(delegate=submitted)
    assert badge.pdf.read().startswith(b"%PDF")


def test_a_waitlisted_delegate_gets_no_badge(
    submitted, secretariat_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_state(delegate=submitted, to_state=RegistrationState.WAITLISTED, by=secretariat_user)
    assert not Badge.objects.filter(delegate=submitted).exists()


def test_a_new_photo_renders_the_badge_again(
    submitted, secretariat_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_state(delegate=submitted, to_state=RegistrationState.APPROVED, by=secretariat_user)
    first = Badge.objects.get(delegate=submitted).fingerprint
    upload = SimpleUploadedFile("me.png", image_bytes((900, 1200), "PNG"), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        set_photo(delegate=submitted, photo=upload)
    assert Badge.objects.get(delegate=submitted).fingerprint != first
