"""Narrow windows and keyboards in Debian's chromium: no sideways page, table boxes reachable,
the arrivals chart's figures as a table in the assembly's zone."""

import re
import threading
import uuid
from datetime import datetime, time

import pytest
from django.conf import settings as django_settings
from django.db import connections, transaction
from django.test import Client
from playwright.sync_api import expect

from badges.live import publish_checkin_change
from badges.models import Scan
from badges.services import ensure_badge_rendered, reprint_badge, revoke_badge
from tests.agenda.factories import RoomFactory, SessionFactory, local
from tests.factories import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Records every uPlot the page makes, so a test can read the x-axis labels off the chart.
KEEP_CHARTS = """
window.__charts = [];
let realUPlot;
Object.defineProperty(window, "uPlot", {
  configurable: true,
  get: () => realUPlot,
  set: (value) => {
    realUPlot = new Proxy(value, {
      construct(target, args) {
        const chart = Reflect.construct(target, args);
        window.__charts.push(chart);
        return chart;
      },
    });
  },
});
"""


def open_as(browser, server, user, path, *, width, timezone_id="Europe/Paris"):
    base = getattr(server, "url", server)
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="en-GB", timezone_id=timezone_id
    )
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    page = context.new_page()
    page.add_init_script(KEEP_CHARTS)
    page.goto(f"{base}{path}")
    return context, page


def page_overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def entry(checkpoint, at: datetime) -> Scan:
    return Scan.objects.create(
        assembly=checkpoint.assembly,
        checkpoint=checkpoint,
        direction="in",
        reason="ok",
        changed_presence=True,
        idempotency_key=uuid.uuid4().hex,
        effective_at=at,
    )


@pytest.mark.parametrize("width", [640, 320])
def test_timeline_page_does_not_scroll_sideways(
    browser, live_server, assembly, secretariat_user, width
):
    for number in range(4):
        room = RoomFactory(assembly=assembly, name=f"Conference Room {number}")
        SessionFactory(
            assembly=assembly,
            room=room,
            title=f"Session in room {number}",
            starts_at=local(assembly, 0, "10:00"),
            ends_at=local(assembly, 0, "11:30"),
        )
    day = assembly.start_date.isoformat()
    context, page = open_as(
        browser, live_server, secretariat_user, f"/a/ga/timeline/?day={day}", width=width
    )
    assert page.get_by_text("Session in room 3").count() == 1
    assert page_overflow(page) == 0
    # The timeline's own box scrolls instead.
    assert page.evaluate(
        "(box => box.scrollWidth > box.clientWidth)(document.querySelector('.timeline-wrap'))"
    )
    context.close()


def test_dashboard_at_320_does_not_scroll_sideways_with_revoked_and_replaced_badges(
    browser, live_server, assembly, secretariat_user, delegate
):
    ensure_badge_rendered(delegate=delegate)
    reprint_badge(
        assembly=assembly, delegate_id=delegate.pk, by=secretariat_user, reason="Lost at lunch"
    )
    revoke_badge(
        assembly=assembly, delegate_id=delegate.pk, by=secretariat_user, reason="Left early"
    )
    context, page = open_as(browser, live_server, secretariat_user, "/a/ga/badges/", width=320)
    assert page.get_by_role("cell", name="Left early").is_visible()
    assert page_overflow(page) == 0
    context.close()


def test_members_table_box_is_reached_by_keyboard_at_390(
    browser, live_server, assembly, secretariat_user
):
    for number in range(3):
        MemberFactory(name=f"Metropolitan Government of Somewhere Long {number}")
    context, page = open_as(browser, live_server, secretariat_user, "/a/ga/members/", width=390)
    box = page.get_by_role("region", name="Members")
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")
    page.get_by_role("button", name="Filter").focus()
    page.keyboard.press("Tab")
    assert box.evaluate("box => box === document.activeElement")
    assert box.evaluate("box => getComputedStyle(box).outlineStyle") == "solid"
    context.close()


def test_arrivals_table_gives_the_figures_of_the_scans_with_checkpoint_names(
    browser, live_server, assembly, secretariat_user
):
    entrance = assembly.checkpoints.get(code="entrance")
    hall = assembly.checkpoints.get(code="plenary")
    day = assembly.start_date
    at = lambda hour, minute: datetime.combine(day, time(hour, minute), tzinfo=assembly.zone)  # noqa: E731
    for minute in (5, 20, 41):
        entry(entrance, at(10, minute))
    entry(hall, at(10, 50))
    entry(hall, at(10, 55))
    entry(hall, at(12, 10))
    # The browser is in Paris; the page says times are in Seoul.
    context, page = open_as(browser, live_server, secretariat_user, "/a/ga/badges/", width=1024)
    page.get_by_text("Arrivals as a table").click()
    table = page.get_by_role("table", name="Entries per hour and checkpoint")
    table.get_by_role("row").nth(2).wait_for()
    rows = table.get_by_role("row").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.textContent))"
    )
    hours = [row.pop(0) for row in rows]
    assert rows == [["Entrance", "Plenary hall", "Total"], ["3", "2", "5"], ["0", "1", "1"]]
    # Seoul's hours (02:00 and 04:00 in Paris), with the day, in the page's language.
    on_the_day = rf"\D*\b{day.day}\b\D*"
    assert hours[0] == "Hour"
    assert re.fullmatch(on_the_day + "10:00", hours[1])
    assert re.fullmatch(on_the_day + "12:00", hours[2])
    legend = page.locator("#arrivals-chart .u-legend").inner_text()
    assert "Plenary hall" in legend
    assert "plenary" not in legend.replace("Plenary", "")
    assert "--" not in legend
    hour_ticks = page.evaluate("window.__charts[0].axes[0]._values")
    assert "10:00am" in hour_ticks
    assert "2:00am" not in hour_ticks
    context.close()


def test_arrivals_table_follows_the_live_updates(browser, asgi_server, assembly, secretariat_user):
    entrance = assembly.checkpoints.get(code="entrance")
    ten = datetime.combine(assembly.start_date, time(10, 5), tzinfo=assembly.zone)
    entry(entrance, ten)
    context, page = open_as(browser, asgi_server, secretariat_user, "/a/ga/badges/", width=1024)
    page.get_by_text("Arrivals as a table").click()
    totals = page.locator("#arrivals-table tbody td:last-child")
    expect(totals).to_have_text(["1"])

    def another_entry():
        with transaction.atomic():
            entry(entrance, ten.replace(minute=30))
            publish_checkin_change(assembly.pk)
        connections.close_all()

    thread = threading.Thread(target=another_entry)
    thread.start()
    thread.join()
    expect(totals).to_have_text(["2"])
    context.close()
