"""Adding to My agenda from the programme comes back to the item, not the top of the page."""

import re

from django.urls import reverse

from tests.conftest import client_for


def test_adding_from_the_programme_returns_to_the_session_row(assembly, workshop, delegate):
    client = client_for(delegate.user)
    programme = reverse("agenda:programme", args=[assembly.slug])
    page = client.get(programme).content.decode()
    assert 'id="session-workshop"' in page
    next_value = re.search(
        r'action="[^"]*/workshop/choose/"[^>]*>.*?name="next" value="([^"]+)"', page, re.S
    ).group(1)
    assert next_value.endswith("#session-workshop")
    response = client.post(
        reverse("agenda:choose", args=[assembly.slug, "workshop"]), {"next": next_value}
    )
    assert response["Location"] == programme + "#session-workshop"


def test_a_refusal_is_an_alert_and_a_confirmation_a_status(assembly, workshop, delegate):
    client = client_for(delegate.user)
    client.post(reverse("agenda:choose", args=[assembly.slug, "workshop"]))
    page = client.get(reverse("agenda:programme", args=[assembly.slug])).content.decode()
    assert re.search(r'<div class="messages" id="messages" tabindex="-1"', page)
    assert re.search(r'<li class="message success" role="status">', page)
