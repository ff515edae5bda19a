"""Secretariat tables read aloud: every column header has a name, table boxes are named regions."""

import re

from django.urls import reverse

from tests.registration.factories import InvitationFactory


def headers(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th\b.*?</th>", page)]


def test_every_column_of_the_invitations_table_has_a_name(secretariat_client, assembly):
    InvitationFactory(assembly=assembly)
    url = reverse("registration:invitations", args=[assembly.slug])
    page = secretariat_client.get(url).content.decode()
    assert headers(page) == ["Member", "Places used", "Expires", "Link", "Actions"]


def test_invitations_table_box_is_a_named_region_in_the_tab_order(secretariat_client, assembly):
    url = reverse("registration:invitations", args=[assembly.slug])
    page = secretariat_client.get(url).content.decode()
    assert (
        '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="invitations-caption">'
        in page
    )
    assert '<caption id="invitations-caption" class="visually-hidden">Invitations</caption>' in page


def test_registrations_table_box_is_a_named_region_in_the_tab_order(secretariat_client, assembly):
    page = secretariat_client.get(reverse("registration:queue", args=[assembly.slug]))
    assert (
        '<div class="table-wrap" tabindex="0" role="region"'
        ' aria-label="Registrations matching the filters">'
    ) in page.content.decode()
