"""Every page checks the role: who gets in, who is sent to log in, who is refused."""

import pytest
from django.urls import reverse

from tests.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db

PAGES = ["delegate-home", "desk-home", "chair-home", "secretariat-home", "member-list"]

# page -> roles that open it (secretariat opens every staff page)
ALLOWED = {
    "delegate-home": {"delegate"},
    "desk-home": {"desk", "secretariat"},
    "chair-home": {"chair", "secretariat"},
    "secretariat-home": {"secretariat"},
    "member-list": {"desk", "chair", "secretariat"},
}


@pytest.fixture
def clients(assembly, delegate):
    return {
        "delegate": client_for(delegate.user),
        "desk": client_for(staff_user(assembly, "desk", "desk-person")),
        "chair": client_for(staff_user(assembly, "chair", "chair-person")),
        "secretariat": client_for(staff_user(assembly, "secretariat", "sec-person")),
    }


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["delegate", "desk", "chair", "secretariat"])
def test_role_pages_open_only_for_their_roles(clients, assembly, page, role):
    response = clients[role].get(reverse(page, args=[assembly.slug]))
    expected = 200 if role in ALLOWED[page] else 403
    assert response.status_code == expected


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, assembly, page):
    response = client.get(reverse(page, args=[assembly.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGES)
def test_roles_do_not_carry_over_to_another_assembly(clients, other_assembly, page):
    response = clients["secretariat"].get(reverse(page, args=[other_assembly.slug]))
    assert response.status_code == 403


def test_assembly_home_is_public_and_shows_members_by_region(client, assembly, member):
    response = client.get(reverse("assembly-home", args=[assembly.slug]))
    assert response.status_code == 200
    assert "Asia-Pacific" in response.content.decode()


def test_home_redirects_to_the_only_assembly(client, assembly):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("assembly-home", args=[assembly.slug])


def test_unknown_assembly_page_is_404(client, db):
    assert client.get("/a/nowhere/").status_code == 404


def test_staff_login_with_password(client, assembly):
    staff_user(assembly, "desk", "volunteer")
    response = client.post(reverse("login"), {"username": "volunteer", "password": "pw-for-tests"})
    assert response.status_code == 302
    assert client.get(reverse("desk-home", args=[assembly.slug])).status_code == 200


def test_staff_can_create_a_token_shown_once_and_revoke_it(desk_client, desk_user):
    page = desk_client.post(reverse("api-tokens"), {"name": "Desk 3 laptop"})
    raw = page.context["new_token"]
    assert raw in page.content.decode()
    again = desk_client.get(reverse("api-tokens"))
    assert raw not in again.content.decode()
    token = desk_user.api_tokens.get()
    desk_client.post(reverse("api-token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_delegates_cannot_open_the_token_page(delegate_client):
    assert delegate_client.get(reverse("api-tokens")).status_code == 403


def test_admin_lists_members_with_filters_for_the_secretariat(assembly, member):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client = client_for(admin)
    response = client.get("/admin/assembly/memberorganization/?region=asia_pacific&q=Seo")
    assert response.status_code == 200
    assert "Seoul" in response.content.decode()


def test_member_search_with_a_nul_byte_is_a_clear_400(clients, assembly, member):
    # PostgreSQL refuses NUL in a query parameter: it is refused before any view runs.
    page = clients["secretariat"].get(f"/a/{assembly.slug}/members/?q={member.name[:4]}%00")
    assert page.status_code == 400
    assert "NUL" in page.content.decode()


def test_another_association_s_pages_show_only_the_kinds_and_regions_its_members_have(
    client, secretariat_client, assembly
):
    from assembly.models import MemberKind, Region
    from tests.factories import MemberFactory

    for name in ("Deutscher Ruderverband", "Fédération Française d'Aviron"):
        MemberFactory(name=name, kind=MemberKind.INSTITUTION, region=Region.EUROPE, population=None)
    home = client.get(reverse("assembly-home", args=[assembly.slug])).content.decode()
    assert "Europe" in home
    assert "Africa" not in home
    assert "Local government" not in home
    members = secretariat_client.get(reverse("member-list", args=[assembly.slug])).content.decode()
    assert "Ruderverband" in members
    assert "Population" not in members
    assert 'id="f-kind"' not in members  # one kind: nothing to filter by


def test_members_are_listed_in_the_order_a_reader_expects_accents_aside(
    secretariat_client, assembly
):
    from tests.factories import MemberFactory

    for name in ("Svenska Roddförbundet", "Český veslařský svaz", "Österreichischer Ruderverband"):
        MemberFactory(name=name)
    page = secretariat_client.get(reverse("member-list", args=[assembly.slug])).content.decode()
    order = [page.index(name) for name in ("Český", "Österreichischer", "Svenska")]
    assert order == sorted(order)
