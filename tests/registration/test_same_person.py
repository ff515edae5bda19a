"""What people send: one address or name typed several ways is one person; long addresses work;
a delegate approved at once gets a badge as one approved by the secretariat does."""

import unicodedata

import pytest
from django.contrib.auth import get_user_model

from badges import services as badge_services
from badges.models import Badge
from registration.imports import import_registrations, preview_import
from registration.models import Delegate, RegistrationSource
from registration.selectors import RegistrationFilters, registrations_list
from registration.services import DelegateDetails, register_delegate
from tests.registration.test_invitations import details, register

pytestmark = pytest.mark.django_db

NFD = unicodedata.normalize("NFD", "x@müller.de")


@pytest.mark.parametrize(
    "second",
    [NFD, "y@xn--mller-kva.de", "ｘ＠example.org"],  # noqa: RUF001 (full-width, as typed)
)
def test_one_address_typed_two_ways_is_one_row_in_an_import(assembly, second):
    first = {NFD: "x@müller.de", "y@xn--mller-kva.de": "y@müller.de"}.get(second, "x@example.org")
    text = f"full_name,email,role\nOne,{first},observer\nTwo,{second},observer\n"
    preview = preview_import(assembly=assembly, text=text)
    assert preview.rows[0].valid
    assert preview.rows[1].errors == [f"{preview.rows[0].cleaned['email']} is also on line 2."]


def test_addresses_typed_two_ways_share_one_login(assembly, make_delegate):
    register_delegate(
        assembly=assembly,
        details=DelegateDetails.from_data({**details(), "email": NFD, "role": "observer"}),
        source=RegistrationSource.PUBLIC,
    )
    text = "full_name,email,role\nX Müller,X@xn--mller-kva.de,observer\n"
    preview = preview_import(assembly=assembly, text=text)
    assert preview.rows[0].valid
    assert (
        preview.rows[0].skip
        == "x@müller.de is already registered (as 김서연 Kim Seo-yeon), skipped."
    )
    assert Delegate.objects.get().email == "x@müller.de"
    assert get_user_model().objects.filter(email="x@müller.de").count() == 1


@pytest.mark.parametrize("typed", [unicodedata.normalize("NFD", "São Paulo"), "São\u00a0Paulo"])
def test_a_member_typed_in_another_form_is_found(assembly, typed):
    from assembly.models import MemberOrganization

    sao_paulo = MemberOrganization.objects.create(name="São Paulo", country="BR")
    text = f"full_name,email,role,member\nAna,ana@sp.example,voting_delegate,{typed}\n"
    preview = preview_import(assembly=assembly, text=text)
    assert preview.valid, preview.rows[0].errors
    assert preview.rows[0].cleaned["member"] == sao_paulo


def test_a_name_imported_decomposed_is_found_by_the_secretariats_search(assembly):
    name = unicodedata.normalize("NFD", "José Ramírez")
    import_registrations(
        assembly=assembly, text=f"full_name,email,role\n{name},jose@example.org,observer\n", by=None
    )
    found = registrations_list(assembly=assembly, filters=RegistrationFilters(search="José"))
    assert [d.email for d in found] == ["jose@example.org"]


def long_address(length: int) -> str:
    domain = "@example.org"
    return "a" * (length - len(domain)) + domain


def test_a_long_address_registers_and_gets_a_login(client, assembly, invitation):
    email = long_address(200)  # the login's username column holds 150
    response = register(client, assembly, invitation, email=email)
    assert response.status_code == 302
    delegate = Delegate.objects.get()
    assert (delegate.email, delegate.user.email) == (email, email)
    assert register(client, assembly, invitation, email=email.upper()).status_code == 400


def test_an_address_over_254_characters_is_refused_by_the_form_and_the_import(
    client, assembly, invitation
):
    email = long_address(260)
    response = register(client, assembly, invitation, email=email)
    assert response.status_code == 400
    text = f"full_name,email,role\nLong,{email},observer\n"
    row = preview_import(assembly=assembly, text=text).rows[0]
    assert any("at most 254 characters" in error for error in row.errors)
    assert not Delegate.objects.exists()


def test_an_import_of_a_long_address_makes_its_login(assembly):
    email = long_address(254)
    import_registrations(
        assembly=assembly, text=f"full_name,email,role\nLong,{email},observer\n", by=None
    )
    assert Delegate.objects.get().user.email == email


@pytest.fixture
def badges_rendered(monkeypatch):
    rendered = []
    monkeypatch.setattr(
        badge_services,
        "render_badges_of",
        lambda ids: rendered.extend(Delegate.objects.get(pk=pk).email for pk in ids),
    )
    return rendered


def test_the_delegates_approved_by_the_import_get_their_badges_after_it(
    assembly, member, django_capture_on_commit_callbacks
):
    # Rendered together after the commit (in the background when served), not one by one
    # in the request: 5,000 approved rows had kept the secretariat waiting minutes.
    text = (
        "full_name,email,role,member,state\n"
        "Kim,kim@seoul.example,voting_delegate,Seoul,approved\n"
        "Lee,lee@seoul.example,observer,,approved\n"
        "Park,park@seoul.example,observer,,submitted\n"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_registrations(assembly=assembly, text=text, by=None)
    assert not Badge.objects.exists()  # nothing rendered inside the import's transaction
    for callback in callbacks:
        callback()
    rendered = Badge.objects.exclude(pdf="").values_list("delegate__email", flat=True)
    assert sorted(rendered) == ["kim@seoul.example", "lee@seoul.example"]


def test_a_delegate_approved_by_the_invitation_gets_a_badge(
    assembly, invitation, badges_rendered, django_capture_on_commit_callbacks
):
    invitation.auto_approve = True
    invitation.save()
    with django_capture_on_commit_callbacks(execute=True):
        register_delegate(
            assembly=assembly,
            details=DelegateDetails.from_data(details()),
            source=RegistrationSource.INVITATION,
            invitation=invitation,
        )
    assert badges_rendered == [details()["email"]]


def test_a_submitted_registration_gets_no_badge_yet(
    assembly, invitation, badges_rendered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register_delegate(
            assembly=assembly,
            details=DelegateDetails.from_data(details()),
            source=RegistrationSource.INVITATION,
            invitation=invitation,
        )
    assert badges_rendered == []
