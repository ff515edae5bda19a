"""A new association's spreadsheet imports as it is: its encoding, headers, extra columns,
repeated rows, typographic apostrophes and people registered already, each said in the preview."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registration.imports import import_registrations, preview_import
from registration.models import Delegate
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

# The tester's own list: Excel's "CSV" on Windows, headers as the secretariat named them.
SHEET = (
    "Name;E-mail;Federation;Function;Phone;Notes;Paid?\n"
    "Marie Dubois;marie.dubois@ffaviron.example;Fédération Française d\u2019Aviron;"
    "Voting delegate;+33 1 23 45;vegetarian;yes\n"
    "\n"
    "Jürgen Müller;j.mueller@rudern.example;Deutscher Ruderverband;Voting delegate;+49 30 1;;\n"
    "Jürgen Müller;j.mueller@rudern.example;Deutscher Ruderverband;Voting delegate;+49 30 1;;\n"
)


@pytest.fixture
def rowing_members(db):
    return [
        MemberFactory(name="Fédération Française d'Aviron"),
        MemberFactory(name="Deutscher Ruderverband"),
    ]


def upload(client, assembly, data: bytes):
    url = reverse("registration:import", args=[assembly.slug])
    file = SimpleUploadedFile("members.csv", data, content_type="text/csv")
    return client.post(url, {"file": file})


def test_a_windows_1252_sheet_with_its_own_headers_previews_with_every_liberty_named(
    secretariat_client, assembly, rowing_members
):
    response = upload(secretariat_client, assembly, SHEET.encode("cp1252"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Read as Western European (Windows-1252)" in page
    assert "Ignored columns: notes, paid?." in page
    assert "Name → full_name, E-mail → email, Federation → member, Function → role" in page
    assert "Line 5 repeats line 4 exactly: read once." in page
    assert "All 2 rows are ready" in page
    url = reverse("registration:import", args=[assembly.slug])
    secretariat_client.post(url, {"confirm": "1", "payload": response.context["payload"]})
    marie = Delegate.objects.get(email="marie.dubois@ffaviron.example")
    assert (marie.full_name, marie.member) == ("Marie Dubois", rowing_members[0])
    assert Delegate.objects.count() == 2


def test_a_member_typed_with_a_typographic_apostrophe_or_decomposed_is_found(
    assembly, rowing_members
):
    decomposed = "Fe\u0301de\u0301ration franc\u0327aise d\u2018aviron"
    text = f"full_name,email,role,member\nMarie,m@x.example,voting_delegate,{decomposed}\n"
    (row,) = preview_import(assembly=assembly, text=text).rows
    assert row.cleaned["member"] == rowing_members[0]


def test_re_importing_an_updated_list_skips_the_people_registered_already(
    secretariat_client, assembly, rowing_members
):
    first = "full_name,email,role\nMarie Dubois,marie@x.example,observer\n"
    import_registrations(assembly=assembly, text=first, by=None)
    updated = first + "Karl Nagy,karl@x.example,observer\n"
    response = upload(secretariat_client, assembly, updated.encode())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Already registered, skipped." in page
    assert "1 row is registered already and will be skipped" in page
    url = reverse("registration:import", args=[assembly.slug])
    done = secretariat_client.post(
        url, {"confirm": "1", "payload": response.context["payload"]}, follow=True
    )
    assert "1 registrations imported. 1 already registered, skipped." in done.content.decode()
    assert sorted(Delegate.objects.values_list("email", flat=True)) == [
        "karl@x.example",
        "marie@x.example",
    ]


def test_a_real_error_still_writes_nothing_beside_the_liberties(
    secretariat_client, assembly, rowing_members
):
    text = SHEET + "Bad Email;not-an-email;Deutscher Ruderverband;Voting delegate;;;\n"
    response = upload(secretariat_client, assembly, text.encode("cp1252"))
    assert response.status_code == 400
    assert "payload" not in response.context
    assert Delegate.objects.count() == 0
