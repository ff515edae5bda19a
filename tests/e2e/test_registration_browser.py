"""On a phone: invitation -> register with a photo -> approved -> email -> tour -> My assembly."""

import re

import pytest
from django.core import mail

from registration.models import Delegate
from registration.services import invitation_url
from tests.registration.conftest import image_bytes
from tests.registration.factories import InvitationFactory, TourFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def office(browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


def test_invited_delegate_registers_is_approved_and_signs_up_for_a_tour_on_a_phone(
    live_server, phone, office, assembly, member, secretariat_user, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    invitation = InvitationFactory(assembly=assembly, member=member, places=2)
    TourFactory(assembly=assembly, code="market", title="Gwangjang Market food tour", capacity=8)
    photo = tmp_path / "me.jpg"
    photo.write_bytes(image_bytes((1200, 900)))

    # 1. The invitation link: the first field is on the first screen, places are shown.
    phone.goto(invitation_url(invitation))
    assert phone.get_by_text("2 delegate places left of this invitation.").is_visible()
    name = phone.get_by_label("Name on the badge")
    assert name.is_visible()
    assert name.bounding_box()["y"] < 844
    name.fill("김서연 Kim Seo-yeon")
    phone.get_by_label("Email").fill("kim.seoyeon@seoul.example")
    phone.get_by_label("Photo for your badge").set_input_files(str(photo))
    phone.get_by_label("In person").check()
    phone.get_by_role("button", name="Register").click()
    assert phone.get_by_role("heading", name="Registration received").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    delegate = Delegate.objects.get(email="kim.seoyeon@seoul.example")
    assert (delegate.state, delegate.photo.width, delegate.photo.height) == ("submitted", 600, 800)

    # 2. The secretariat approves in its own browser.
    office.goto(f"{live_server.url}/login/")
    office.get_by_label("Username").fill("secretariat")
    office.get_by_label("Password").fill("pw-for-tests")
    office.get_by_role("button", name="Log in").click()
    office.goto(f"{live_server.url}/a/{assembly.slug}/secretariat/registrations/?state=submitted")
    office.get_by_label("Tick 김서연 Kim Seo-yeon").check()
    office.get_by_role("button", name="Approve ticked").click()
    assert office.get_by_text("1 registrations changed.").is_visible()

    # 3. The approval email carries a login link.
    approved = [m for m in mail.outbox if "is approved" in m.subject]
    assert len(approved) == 1
    assert approved[0].to == ["kim.seoyeon@seoul.example"]
    link = re.search(r"http://\S+/login/link/\S+", approved[0].body).group(0)

    # 4. Back on the phone: log in, sign up for the tour, see it on My assembly.
    phone.goto(link)
    phone.get_by_role("button", name="Continue to my assembly").click()
    phone.wait_for_url(f"{live_server.url}/a/{assembly.slug}/me/")
    assert phone.get_by_text("Approved").first.is_visible()
    phone.get_by_role("link", name="Tour programme").click()
    phone.get_by_role("button", name="Sign up").click()
    assert phone.get_by_text(
        "Your place on “Gwangjang Market food tour” is confirmed."
    ).is_visible()
    phone.get_by_role("link", name="My assembly").first.click()
    tours = phone.get_by_role("region", name="My tours")
    assert tours.get_by_text("Gwangjang Market food tour").is_visible()
    assert tours.get_by_text("Confirmed").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_long_unbroken_name_does_not_widen_the_pages_on_a_phone(
    live_server, browser, assembly, member, secretariat_user
):
    # Found by a tester: a 150-character name without a space made the pages 2,000-2,800 px wide.
    from badges.services import ensure_badge_rendered
    from tests.e2e.test_badges_desk import login_cookie
    from tests.factories import DelegateFactory

    delegate = DelegateFactory(assembly=assembly, member=member, full_name="Ŵ" * 150)
    ensure_badge_rendered(delegate=delegate)
    pages = {
        delegate.user: ["badges/my/", "me/", "me/registration/"],
        secretariat_user: [f"secretariat/registrations/{delegate.pk}/"],
    }
    for user, paths in pages.items():
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
        context.add_cookies([login_cookie(user, live_server)])
        page = context.new_page()
        for path in paths:
            page.goto(f"{live_server.url}/a/{assembly.slug}/{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
        context.close()
