"""Text-direction overrides, embeddings and isolates are refused in names; the marks that
Persian and Arabic names need (ZWNJ, RLM) still go through."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assembly.models import MemberOrganization
from registration.errors import ImportInvalid
from registration.imports import import_members, import_registrations, preview_import
from registration.models import Delegate
from tests.registration.test_api import api, send
from tests.registration.test_imports import GOOD
from tests.registration.test_invitations import details

pytestmark = pytest.mark.django_db

REFUSAL = "Remove the hidden text-direction overrides"

TURNED = [
    "Ali \u202eevil.exe\u202c Hassan",  # shown as "Ali exe.live Hassan"
    "\u202eEvil RTL",  # never closed: turns everything after it
    "Ali \u202bHassan\u202c",
    "Ali \u2067Hassan\u2069",
]
# U+200C (ZWNJ) inside the Persian name, U+200F (RLM) after the Arabic one.
KEPT = ["مهرداد\u200c رضایی", "Fatima Al-Hashimi \u200fفاطمة\u200f"]  # noqa: RUF001


@pytest.fixture
def register(client, assembly):
    cache.clear()  # the public form's rate limit
    url = reverse("registration:public-register", args=[assembly.slug])
    yield lambda name: client.post(url, details(role="observer", full_name=name))
    cache.clear()


@pytest.mark.parametrize("name", TURNED)
def test_the_public_form_refuses_a_name_with_a_direction_override(register, name):
    response = register(name)
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    assert not Delegate.objects.exists()


@pytest.mark.parametrize("name", KEPT)
def test_the_public_form_keeps_a_name_with_zwnj_or_rlm(register, name):
    response = register(name)
    assert response.status_code == 302
    assert Delegate.objects.get().full_name == name


def test_the_api_refuses_a_direction_override_in_a_delegate_s_details(
    delegate_client, assembly, delegate
):
    before = delegate.full_name
    url = api("update_my_registration", slug=assembly.slug)
    response = send(delegate_client, "patch", url, {"full_name": TURNED[0]})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    assert REFUSAL in response.json()["detail"]
    delegate.refresh_from_db()
    assert delegate.full_name == before


def test_an_import_row_with_a_direction_override_is_an_error_on_its_line(
    secretariat_client, assembly, member
):
    text = "sep=,\n" + GOOD + "Ali \u202eevil.exe\u202c Hassan,ali@x.example,observer,,,\n"
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    url = reverse("registration:import", args=[assembly.slug])
    response = secretariat_client.post(url, {"file": upload})
    assert response.status_code == 400
    [bad] = [row for row in response.context["preview"].rows if not row.valid]
    assert bad.line == 5
    assert REFUSAL in " ".join(bad.errors)
    assert "1 row has errors" in response.content.decode()
    with pytest.raises(ImportInvalid):
        import_registrations(assembly=assembly, text=text, by=None)
    assert not Delegate.objects.exists()


def test_import_rows_with_zwnj_or_rlm_go_through(assembly, member):
    text = "full_name,email,role\n" + "".join(
        f"{name},p{n}@x.example,observer\n" for n, name in enumerate(KEPT)
    )
    assert preview_import(assembly=assembly, text=text).valid
    created = import_registrations(assembly=assembly, text=text, by=None)
    assert sorted(d.full_name for d in created) == sorted(KEPT)


def test_a_members_row_with_a_direction_override_is_refused_the_same_way(admin_client):
    text = f"name,country\nRoddförbundet,Sweden\nClub \u2067Náutico\u2069,Spain\n{KEPT[0]},Iran\n"
    upload = SimpleUploadedFile("members.csv", text.encode(), content_type="text/csv")
    fields = {"file": upload, "kind": "institution", "region": "europe"}
    response = admin_client.post(reverse("admin:assembly_memberorganization_import"), fields)
    [bad] = [row for row in response.context["preview"].rows if not row.valid]
    assert bad.line == 3
    assert REFUSAL in " ".join(bad.errors)
    assert "1 row has errors" in response.content.decode()
    with pytest.raises(ImportInvalid):
        import_members(text=text, kind="institution", region="europe")
    assert not MemberOrganization.objects.exists()
