"""Found by a tester on trial 2: a secretariat volunteer's wrong file and a server that stops."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from mailer.models import Message

from assembly.mail import deliver_queued
from registration import imports
from registration.imports import import_registrations
from registration.models import Delegate

pytestmark = pytest.mark.django_db


def test_a_huge_upload_is_refused_after_reading_no_more_than_the_limit(
    secretariat_client, assembly, monkeypatch
):
    # A 300 MB file took 300 MB of the server's memory before "larger than 2 MB".
    read = []
    decode = imports.decode

    def measured(raw: bytes) -> str:
        read.append(len(raw))
        return decode(raw)

    monkeypatch.setattr(imports, "decode", measured)
    data = b"full_name,email,role\n" + b"x" * (3 * imports.MAX_IMPORT_BYTES)
    url = reverse("registration:import", args=[assembly.slug])
    response = secretariat_client.post(
        url, {"file": SimpleUploadedFile("huge.csv", data, content_type="text/csv")}
    )
    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()
    assert read == [imports.MAX_IMPORT_BYTES + 1]
    assert Delegate.objects.count() == 0


def people(n: int) -> str:
    return "full_name,email,role\n" + "".join(
        f"Person {i},person{i}@x.example,observer\n" for i in range(n)
    )


@pytest.fixture
def queued(settings):
    """Mail through the database queue, as served; the queue delivers to the test outbox."""
    settings.EMAIL_BACKEND = "assembly.mail.QueueBackend"
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_an_imports_emails_are_queued_with_its_registrations_in_one_transaction(
    assembly, queued, django_capture_on_commit_callbacks
):
    # Found by a tester: a server killed right after a 500-row import had committed queued
    # none of its emails (a background thread wrote them after the commit). They are now
    # written to the queue inside the import's own transaction: kept or dropped with it.
    with django_capture_on_commit_callbacks(execute=False):  # nothing runs after the commit
        created = import_registrations(assembly=assembly, text=people(40), by=None)
    assert Message.objects.count() == len(created) == 40
    assert mail.outbox == []

    deliver_queued()
    deliver_queued()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"person{i}@x.example" for i in range(40))
    sent = next(m for m in mail.outbox if m.to == ["person7@x.example"])
    assert "Person 7" in sent.body  # written when sent, from the templates
    assert "Person 7" in sent.alternatives[0][0]


def import_then_fail(assembly) -> None:
    with transaction.atomic():
        import_registrations(assembly=assembly, text=people(3), by=None)
        raise RuntimeError("the import's transaction fails after the rows")


def test_an_import_rolled_back_queues_no_email(assembly, queued):
    with pytest.raises(RuntimeError):
        import_then_fail(assembly)
    assert not Message.objects.exists()
    assert not Delegate.objects.exists()
