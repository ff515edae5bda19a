"""A new association's members go into the admin from one CSV: preview, then confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assembly.models import MemberOrganization
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = "admin:assembly_memberorganization_import"

MEMBERS = (
    "Federation;Country;Region;Dues paid?;E-mail;Notes\n"
    "Fédération Française d'Aviron;France;;yes;sec@ffaviron.example;founder\n"
    "Deutscher Ruderverband;Germany;Europe;no;;\n"
    "Deutscher Ruderverband;Germany;Europe;no;;\n"
    "Rowing Ireland;Ireland;;;;\n"
)


def check(client, data: bytes, **defaults):
    file = SimpleUploadedFile("members.csv", data, content_type="text/csv")
    fields = {"file": file, "kind": "institution", "region": "europe", **defaults}
    return client.post(reverse(URL), fields)


def test_the_changelist_offers_the_import(admin_client):
    page = admin_client.get(reverse("admin:assembly_memberorganization_changelist"))
    assert reverse(URL) in page.content.decode()
    assert "Import members from CSV" in page.content.decode()


def test_a_windows_1252_members_file_previews_then_confirms(admin_client):
    response = check(admin_client, MEMBERS.encode("cp1252"))
    page = response.content.decode()
    assert "Read as Western European (Windows-1252)" in page
    assert "Ignored columns: notes." in page
    assert "Line 4 repeats line 3 exactly: read once." in page
    assert "3 new members are ready." in page
    assert MemberOrganization.objects.count() == 0
    confirm = {"confirm": "1", "payload": response.context["payload"]}
    done = admin_client.post(reverse(URL), {**confirm, "kind": "institution", "region": "europe"})
    assert done.status_code == 302
    ffa = MemberOrganization.objects.get(country="France")
    assert (ffa.name, ffa.kind, ffa.region, ffa.dues_paid, ffa.contact_email) == (
        "Fédération Française d'Aviron",
        "institution",
        "europe",
        True,
        "sec@ffaviron.example",
    )
    assert not MemberOrganization.objects.get(name="Deutscher Ruderverband").dues_paid
    assert MemberOrganization.objects.count() == 3


def test_rows_with_errors_write_nothing_and_say_why_by_line(admin_client):
    MemberFactory(name="Rowing Ireland")
    text = (
        "name,region,dues_paid\n"
        "British Rowing,Atlantis,yes\n"
        "Rowing Ireland,,\n"
        "Veslaški savez,,maybe\n"
        "Dansk Forening for Rosport,,\n"
        "dansk forening for rosport,,\n"
    )
    page = check(admin_client, text.encode()).content.decode()
    assert "“Atlantis” is not one of" in page
    assert "“Rowing Ireland” is a member already, skipped." in page
    assert "“maybe” is not yes or no." in page
    assert "“dansk forening for rosport” is also on line 5." in page
    assert "3 rows have errors" in page
    assert MemberOrganization.objects.count() == 1


def test_only_staff_who_may_add_members_import_them(client, secretariat_user):
    client.force_login(secretariat_user)
    response = check(client, MEMBERS.encode())
    assert response.status_code in (302, 403)
    assert MemberOrganization.objects.count() == 0


def test_members_added_between_the_check_and_the_write_refuse_the_import_cleanly(db, monkeypatch):
    from assembly.models import MemberOrganization
    from registration import imports
    from registration.errors import ImportInvalid
    from tests.factories import MemberFactory

    text = "name,country\nRoddförbundet,Sweden\nRuderverband,Germany\n"
    checked = imports.preview_members(text=text, kind="institution", region="europe")
    MemberFactory(name="Ruderverband")  # a second confirm of the same file got there first
    monkeypatch.setattr(imports, "preview_members", lambda **_kwargs: checked)
    with pytest.raises(ImportInvalid) as refused:
        imports.import_members(text=text, kind="institution", region="europe")
    assert refused.value.code == "members_added_meanwhile"
    assert not MemberOrganization.objects.filter(name="Roddförbundet").exists()


def test_a_name_escaped_by_an_export_reads_as_the_name(db):
    from registration.imports import escape_cell, preview_members

    text = f"name,country\n{escape_cell('=Club Náutico')},Spain\n"
    [row] = preview_members(text=text, kind="institution", region="europe").rows
    assert row.cleaned["name"] == "=Club Náutico"
