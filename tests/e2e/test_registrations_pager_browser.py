"""On a phone: the secretariat pages through a long registrations list, filters kept."""

import pytest
from playwright.sync_api import expect

from registration.models import RegistrationState
from registration.views import QUEUE_PAGE_SIZE
from tests.registration.test_registrations_api_page import register_many

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_secretariat_reaches_the_rows_past_the_first_page_on_a_phone(
    live_server, phone, assembly, member, secretariat_user
):
    total = 4 * QUEUE_PAGE_SIZE + 1
    register_many(assembly, member, total, state=RegistrationState.SUBMITTED)
    phone.goto(f"{live_server.url}/login/")
    phone.get_by_label("Username").fill("secretariat")
    phone.get_by_label("Password").fill("pw-for-tests")
    phone.get_by_role("button", name="Log in").click()
    phone.goto(f"{live_server.url}/a/{assembly.slug}/secretariat/registrations/?state=submitted")

    pages = phone.get_by_role("navigation", name="Pages of registrations")
    pages.get_by_role("link", name="Next page").click()
    expect(pages.get_by_role("link", name="Page 2", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    first, last = QUEUE_PAGE_SIZE + 1, 2 * QUEUE_PAGE_SIZE
    expect(
        phone.get_by_text(f"Showing {first}\u2013{last} of {total:,} registrations.")
    ).to_be_visible()
    assert "state=submitted" in phone.url

    pages.get_by_role("link", name="Page 5").click()
    expect(phone.get_by_label(f"Tick Person {total - 1}")).to_be_visible()
    box = pages.get_by_role("link", name="Previous page").bounding_box()
    assert box["height"] >= 44  # a thumb's target
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
