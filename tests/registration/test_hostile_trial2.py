"""Found by a tester on trial 2: a secretariat volunteer's wrong file and a server that stops."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registration import imports
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
