"""Found by a tester on trial 2: a secretariat volunteer's wrong file and a server that stops."""

import threading
import time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends import locmem
from django.urls import reverse

from registration import emails, imports
from registration.emails import finish_email_batches
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


class SlowOutbox(locmem.EmailBackend):
    """A mail server that takes a while for each message."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


def people(n: int) -> str:
    return "full_name,email,role\n" + "".join(
        f"Person {i},person{i}@x.example,observer\n" for i in range(n)
    )


def test_a_stopping_server_logs_every_import_email_it_did_not_send(
    assembly, settings, caplog, django_capture_on_commit_callbacks, monkeypatch
):
    # Found by a tester: the server stopped 1 s after a 10,000-row import had committed and
    # 8,754 emails were never sent, with no line in the log saying so or to whom.
    settings.EMAIL_BACKEND = f"{__name__}.SlowOutbox"
    settings.EMAIL_BATCH_IN_BACKGROUND = True
    monkeypatch.setattr(emails, "QUEUE_CHUNK", 4)
    with django_capture_on_commit_callbacks(execute=True):
        import_registrations(assembly=assembly, text=people(40), by=None)
    time.sleep(0.2)

    finish_email_batches(timeout=0.2)  # what the ASGI lifespan's shutdown runs

    assert not [t for t in threading.enumerate() if t.name == "delegate-emails"]
    sent = {m.to[0] for m in mail.outbox}
    unsent = {f"person{i}@x.example" for i in range(40) if f"person{i}@x.example" not in sent}
    assert 0 < len(sent) < 40
    logged = " ".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert all(f"to {address} was not queued" in logged for address in unsent)
    assert f"{len(sent)} queued, {len(unsent)} not queued" in logged


def test_a_stopping_server_lets_a_short_email_batch_finish(
    assembly, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.SlowOutbox"
    settings.EMAIL_BATCH_IN_BACKGROUND = True
    with django_capture_on_commit_callbacks(execute=True):
        import_registrations(assembly=assembly, text=people(3), by=None)

    finish_email_batches(timeout=10)

    assert len(mail.outbox) == 3


def test_the_server_waits_for_email_batches_when_it_stops():
    from assembly.asgi import application

    assert finish_email_batches in application.shutdown
