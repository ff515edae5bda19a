"""On a phone: browse the programme, add a session to my agenda, download its .ics; lobby screen."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from assembly.services import magic_link_url
from sessions.models import AgendaChoice
from tests.agenda.factories import RoomFactory, SessionFactory, local
from tests.conftest import staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def programme(assembly):
    room = RoomFactory(assembly=assembly, code="room-318", name="Conference Room 318")
    return SessionFactory(
        assembly=assembly,
        room=room,
        code="solutions",
        title="Solutions Meets Cities",
        starts_at=local(assembly, 1, "14:00"),
        ends_at=local(assembly, 1, "16:30"),
    )


def log_in(page, live_server, delegate, assembly):
    page.goto(magic_link_url(user=delegate.user, assembly=assembly))
    page.get_by_role("button", name="Continue to my assembly").click()
    page.wait_for_url(f"{live_server.url}/a/{assembly.slug}/me/")


def test_delegate_adds_a_session_to_my_agenda_and_downloads_its_ics_on_a_phone(
    live_server, browser, assembly, delegate, programme, settings
):
    settings.SITE_URL = live_server.url
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB", accept_downloads=True
    )
    phone = context.new_page()
    log_in(phone, live_server, delegate, assembly)

    phone.get_by_role("link", name="Programme").first.click()
    assert phone.get_by_role("heading", name="Programme", exact=True).is_visible()
    assert phone.get_by_text("UTC+09:00").first.is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="Add Solutions Meets Cities to my agenda").click()
    assert phone.get_by_text("“Solutions Meets Cities” is in your agenda.").is_visible()
    assert AgendaChoice.objects.filter(delegate=delegate, session=programme).exists()

    phone.get_by_role("link", name="My agenda").first.click()
    phone.get_by_role("link", name="Solutions Meets Cities").click()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "solutions.ics"
    with open(download.path(), "rb") as handle:
        calendar = Calendar.from_ical(handle.read())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Solutions Meets Cities"
    assert event.decoded("DTSTART") == programme.starts_at
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_phone_switches_times_to_its_own_zone(live_server, browser, assembly, programme):
    context = browser.new_context(viewport=PHONE, is_mobile=True, timezone_id="Europe/Paris")
    phone = context.new_page()
    phone.goto(f"{live_server.url}/a/{assembly.slug}/programme/solutions/")
    first_time = phone.locator("time[data-ts]").first
    assert first_time.inner_text().endswith("14:00")
    phone.get_by_role("button", name="Show in my time zone").click()
    paris = programme.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert first_time.inner_text().endswith(paris.strftime("%H:%M"))
    assert phone.get_by_text("Europe/Paris").first.is_visible()
    phone.get_by_role("button", name="Show in the assembly\u2019s time").click()
    assert first_time.inner_text().endswith("14:00")
    context.close()


def test_lobby_screen_updates_live_when_the_secretariat_cancels(
    asgi_server, browser, assembly, settings
):
    settings.SITE_URL = asgi_server
    room = RoomFactory(assembly=assembly, code="hall", name="Grand Ballroom")
    now = timezone.now()
    SessionFactory(
        assembly=assembly,
        room=room,
        code="on",
        title="Opening ceremony",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
    )
    SessionFactory(
        assembly=assembly,
        room=room,
        code="later",
        title="Prize ceremony",
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(hours=3),
    )
    staff_user(assembly, "secretariat", "sec")

    screen = browser.new_page(viewport={"width": 1280, "height": 720})
    screen.goto(f"{asgi_server}/a/{assembly.slug}/now/")
    screen.wait_for_selector("[data-now-next][data-connected='1'][data-seq]")
    now_list = screen.locator("[data-list='now']")
    next_list = screen.locator("[data-list='next']")
    assert "Opening ceremony" in now_list.inner_text()
    assert "Prize ceremony" in next_list.inner_text()

    office = browser.new_page()
    office.goto(f"{asgi_server}/login/?next=/a/{assembly.slug}/timeline/later/")
    office.get_by_label("Username").fill("sec")
    office.get_by_label("Password").fill("pw-for-tests")
    office.get_by_role("button", name="Log in").click()
    office.get_by_role("button", name="Cancel the session").click()
    office.wait_for_url(f"**/a/{assembly.slug}/timeline/**")

    screen.wait_for_function(
        "!document.querySelector(\"[data-list='next']\").innerText.includes('Prize ceremony')",
        timeout=5000,
    )
    assert "Nothing else today" in next_list.inner_text()
    assert "Opening ceremony" in now_list.inner_text()
    office.close()
    screen.close()
