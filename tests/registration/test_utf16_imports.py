"""Excel's "Unicode Text" and "CSV UTF-16" files (UTF-16 with its byte order mark, often
tab-separated) import like a UTF-8 CSV; bytes that are no text are still refused."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assembly.models import MemberOrganization
from registration.models import Delegate
from tests.registration.conftest import image_bytes

pytestmark = pytest.mark.django_db

PEOPLE = (
    "full_name,email,role,member\r\n"
    "김서연 Kim Seo-yeon,kim@seoul.example,voting_delegate,Seoul\r\n"
    "Ольга Смирнова,olga@x.example,observer,\r\n"
)
# What Excel's "Unicode Text" writes: UTF-16LE with its mark, tab-separated.
UNICODE_TEXT = codecs.BOM_UTF16_LE + PEOPLE.replace(",", "\t").encode("utf-16-le")
# A comma-separated UTF-16 file, big-endian this time.
UTF16_BE_CSV = codecs.BOM_UTF16_BE + PEOPLE.encode("utf-16-be")


def upload(client, assembly, data: bytes):
    url = reverse("registration:import", args=[assembly.slug])
    return client.post(url, {"file": SimpleUploadedFile("people.csv", data)})


@pytest.mark.parametrize("data", [UNICODE_TEXT, UTF16_BE_CSV], ids=["tab-le", "comma-be"])
def test_a_utf16_file_imports_its_rows_with_their_names_intact(
    secretariat_client, assembly, member, data
):
    response = upload(secretariat_client, assembly, data)
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "Read as UTF-16" in page
    assert "All 2 rows are ready" in page
    url = reverse("registration:import", args=[assembly.slug])
    payload = response.context["payload"]
    assert secretariat_client.post(url, {"confirm": "1", "payload": payload}).status_code == 302
    kim = Delegate.objects.get(email="kim@seoul.example")
    assert (kim.full_name, kim.member) == ("김서연 Kim Seo-yeon", member)
    assert Delegate.objects.get(email="olga@x.example").full_name == "Ольга Смирнова"


def test_a_utf16_tab_separated_members_file_imports_its_members(admin_client):
    text = "name\tcountry\r\nХоккейный клуб\tRussia\r\n대한조정협회\tKorea\r\n"  # noqa: RUF001
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    url = reverse("admin:assembly_memberorganization_import")
    fields = {"kind": "institution", "region": "europe"}
    response = admin_client.post(url, {"file": SimpleUploadedFile("m.csv", data), **fields})
    page = response.content.decode()
    assert "Read as UTF-16" in page
    assert "2 new members are ready." in page
    confirm = {"confirm": "1", "payload": response.context["payload"], **fields}
    done = admin_client.post(url, confirm)
    assert done.status_code == 302
    assert sorted(MemberOrganization.objects.values_list("name", "country")) == [
        ("Хоккейный клуб", "Russia"),
        ("대한조정협회", "Korea"),
    ]


def test_binary_junk_is_still_refused_for_its_missing_columns(secretariat_client, assembly):
    response = upload(secretariat_client, assembly, image_bytes())
    assert response.status_code == 400
    assert "Missing columns: full_name, email, role" in response.content.decode()
    assert not Delegate.objects.exists()


def test_a_file_marked_utf16_but_cut_short_is_refused_with_its_line(secretariat_client, assembly):
    response = upload(secretariat_client, assembly, UNICODE_TEXT[:-1])
    assert response.status_code == 400
    assert "marked as UTF-16 but line 3 cannot be read" in response.content.decode()
    assert not Delegate.objects.exists()
