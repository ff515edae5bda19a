"""On a phone in another zone: times on another day carry their date; no sideways scroll."""

import pytest

from tests.agenda.factories import RoomFactory, SessionFactory, local

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def night_and_morning(assembly):
    room = RoomFactory(assembly=assembly, code="hall", name="Hall")
    # Seoul's 07:00 is 23:00 the day before in Paris; 22:30-02:30 crosses Seoul's midnight.
    SessionFactory(
        assembly=assembly,
        room=room,
        code="breakfast",
        title="Breakfast briefing",
        starts_at=local(assembly, 1, "07:00"),
        ends_at=local(assembly, 1, "08:00"),
    )
    SessionFactory(
        assembly=assembly,
        room=room,
        code="gala",
        title="G" * 200,
        starts_at=local(assembly, 1, "22:30"),
        ends_at=local(assembly, 2, "02:30"),
    )


def test_phone_in_paris_sees_the_date_of_a_time_on_another_day_and_no_sideways_scroll(
    live_server,
    browser,
    assembly,
    night_and_morning,
):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, locale="en-GB", timezone_id="Europe/Paris"
    )
    phone = context.new_page()
    phone.goto(f"{live_server.url}/a/{assembly.slug}/programme/")
    gala = phone.locator("#session-gala time[data-ts]")
    assert gala.nth(1).inner_text() == "02:30 (+1 day)"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="Show in my time zone").click()
    breakfast = phone.locator("#session-breakfast time[data-ts]")
    day_before = local(assembly, 0, "00:00").strftime("%-d")
    assert breakfast.first.inner_text().endswith(
        f" {day_before} {local(assembly, 0, '00:00'):%b}, 23:00"
    )
    assert breakfast.nth(1).inner_text() == "00:00 (+1 day)"
    assert gala.first.inner_text() == "14:30"
    assert gala.nth(1).inner_text() == "18:30"
    context.close()
