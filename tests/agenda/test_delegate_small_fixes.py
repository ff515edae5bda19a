"""Small things testers met: titles, doubled quotes, members-only sessions, the timeline."""

import re

from django.urls import reverse

from tests.conftest import client_for


def test_a_title_in_its_own_quotes_is_not_quoted_twice(assembly, workshop, delegate):
    workshop.title = "“Hosangnori” cultural performance"
    workshop.save()
    client = client_for(delegate.user)
    client.post(reverse("agenda:choose", args=[assembly.slug, "workshop"]))
    page = client.get(reverse("agenda:programme", args=[assembly.slug])).content.decode()
    assert "“Hosangnori” cultural performance is in your agenda." in page
    assert "““" not in page


def test_a_members_only_session_opened_logged_out_asks_to_log_in(client, assembly, excom):
    response = client.get(reverse("agenda:session", args=[assembly.slug, "excom"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]
    assert client.get(reverse("agenda:session", args=[assembly.slug, "nope"])).status_code == 404


def test_the_timeline_has_no_orphan_column_headers_and_links_name_their_room(
    secretariat_client, assembly, workshop
):
    day = assembly.start_date.isoformat()
    url = reverse("agenda:timeline", args=[assembly.slug]) + f"?day={day}"
    page = secretariat_client.get(url).content.decode()
    link = re.search(r'<a class="tl-block.*?</a>', page, re.S).group(0)
    assert f"Room: {workshop.room.name}" in link
    assert 'role="columnheader"' not in page


def test_titles_name_the_page_and_the_assembly(assembly, delegate):
    client = client_for(delegate.user)
    for name in ("delegate-home", "registration:tours"):
        page = client.get(reverse(name, args=[assembly.slug])).content.decode()
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert "·" in title
        assert title.strip().endswith("Test General Assembly"), title
