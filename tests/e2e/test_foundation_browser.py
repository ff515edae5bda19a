"""A delegate on a phone follows a magic link and lands on their assembly page."""

import pytest

from assembly.services import magic_link_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_delegate_follows_magic_link_on_a_phone_and_sees_the_assembly(
    live_server, phone, assembly, delegate, settings
):
    settings.SITE_URL = live_server.url
    phone.goto(magic_link_url(user=delegate.user, assembly=assembly))
    phone.get_by_role("button", name="Continue to my assembly").click()
    phone.wait_for_url(f"{live_server.url}/a/{assembly.slug}/me/")
    assert phone.get_by_role("heading", name="My assembly").is_visible()
    assert phone.get_by_text("Kim Seo-yeon").first.is_visible()
    assert phone.get_by_text("Approved").is_visible()
    phone.get_by_role("link", name="Test General Assembly").click()
    assert phone.get_by_role("heading", name="Test General Assembly").is_visible()
    # Mobile first: nothing wider than the phone's screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
