"""The check-in desk in Debian's chromium: wedge scans, revoked badges, camera, offline queue."""

import io
import json
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client

from badges.models import Scan
from badges.pdf import qr_png
from badges.services import ensure_badge_rendered, revoke_badge, token_for
from tests.e2e.conftest import CHROMIUM

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def login_cookie(user, live_server):
    client = Client()
    client.force_login(user)
    return {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def open_desk(browser, live_server, user, checkpoint="entrance"):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.add_cookies([login_cookie(user, live_server)])
    page = context.new_page()
    page.goto(f"{live_server.url}/a/ga/badges/desk/?checkpoint={checkpoint}")
    page.wait_for_selector("#desk[data-ready=true]")
    return context, page


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_wedge_scan_then_enter_shows_green_with_the_name(browser, live_server, desk_user, delegate):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    # A keyboard-wedge scanner types into whatever has focus, then presses Enter.
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer.green")
    assert page.locator("#answer-name").inner_text() == "Kim Seo-yeon"
    assert page.locator("#answer-verdict").text_content().startswith("Welcome")
    assert page.evaluate("document.activeElement.id") == "wedge"
    assert Scan.objects.get().reason == "ok"
    context.close()


def test_revoked_badge_shows_red(
    browser, live_server, desk_user, delegate, secretariat_user, assembly
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    revoke_badge(assembly=assembly, delegate_id=delegate.pk, by=secretariat_user, reason="Stolen")
    context, page = open_desk(browser, live_server, desk_user)
    page.fill("#wedge", token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.red")
    assert page.locator("#answer").get_attribute("data-reason") == "revoked"
    assert page.locator("#answer-name").inner_text() == "Kim Seo-yeon"
    context.close()


def search_for(page, text):
    page.click("#search")
    page.keyboard.type(text)
    page.wait_for_selector("#search-results li button")


def test_a_badge_scanned_while_the_search_has_focus_is_recorded_and_the_search_kept(
    browser, live_server, desk_user, delegate
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    search_for(page, "Kim")
    assert page.evaluate("document.activeElement.id") == "search"
    # The volunteer did not click back into the scan field: the wedge types into the search.
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer.green")
    assert page.locator("#answer-name").inner_text() == "Kim Seo-yeon"
    assert Scan.objects.get().reason == "ok"
    assert page.input_value("#search") == "Kim"
    assert page.evaluate("document.activeElement.id") == "wedge"
    context.close()


def test_a_badge_scanned_into_a_search_typed_a_moment_before_keeps_the_name(
    browser, live_server, desk_user, delegate
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    page.click("#search")
    # Typed and scanned within the search's pause: the field's text before is only the name.
    page.keyboard.type("Seo")
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer.green")
    assert page.input_value("#search") == "Seo"
    assert Scan.objects.get().reason == "ok"
    context.close()


def test_escape_clears_the_search_and_returns_to_scanning(
    browser, live_server, desk_user, delegate
):
    context, page = open_desk(browser, live_server, desk_user)
    search_for(page, "Kim")
    page.keyboard.press("Escape")
    assert page.input_value("#search") == ""
    assert page.locator("#search-results li").count() == 0
    assert page.evaluate("document.activeElement.id") == "wedge"
    context.close()


def test_print_from_the_search_returns_to_scanning(browser, live_server, desk_user, delegate):
    ensure_badge_rendered(delegate=delegate)
    context, page = open_desk(browser, live_server, desk_user)
    search_for(page, "Kim")
    with context.expect_page() as badge_pdf:
        page.get_by_role("button", name="Print badge Kim Seo-yeon", exact=True).click()
    badge_pdf.value.close()
    page.wait_for_function("document.activeElement.id === 'wedge'")
    context.close()


def stub_refusal(page, pattern, status, body):
    page.route(
        pattern,
        lambda route: route.fulfill(
            status=status, content_type="application/json", body=json.dumps(body)
        ),
    )


def scan_and_wait_for_refusal(page, token):
    page.fill("#wedge", token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.refused")


def test_a_refused_scan_is_not_shown_as_not_a_badge_and_gives_the_servers_reason(
    browser, live_server, desk_user, delegate
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    detail = "CSRF check Failed"
    stub_refusal(page, "**/scans", 403, {"code": "forbidden", "detail": detail})
    scan_and_wait_for_refusal(page, token)
    assert page.locator("#answer").get_attribute("data-reason") == "not_recorded"
    assert "Not a badge" not in page.locator("#answer").inner_text()
    assert page.locator("#answer-verdict").text_content() == "Not recorded"
    assert detail in page.locator("#answer-why").inner_text()
    # Nothing recorded, nothing queued to resend: the request itself was refused.
    assert "waiting" not in page.locator("#queue-note").text_content()
    assert Scan.objects.count() == 0
    context.close()


def test_a_desk_whose_session_ended_says_so_for_a_genuine_badge(
    browser, live_server, desk_user, delegate
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    context.clear_cookies()
    scan_and_wait_for_refusal(page, token)
    assert page.locator("#answer").get_attribute("data-reason") == "not_recorded"
    assert "log in again" in page.locator("#answer-why").inner_text()
    assert "waiting" not in page.locator("#queue-note").text_content()
    assert Scan.objects.count() == 0
    context.close()


def test_an_expired_session_is_named_as_such(browser, live_server, desk_user, delegate):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    detail = "Log in, or send a valid bearer token."
    stub_refusal(page, "**/scans", 401, {"code": "not_authenticated", "detail": detail})
    scan_and_wait_for_refusal(page, token)
    assert page.locator("#answer-why").inner_text().startswith("Your session has ended")
    context.close()


def test_a_reprint_reason_of_spaces_is_refused_before_sending(
    browser, live_server, desk_user, delegate
):
    badge = ensure_badge_rendered(delegate=delegate)
    context, page = open_desk(browser, live_server, desk_user)
    sent = []
    page.on(
        "request", lambda request: sent.append(request.url) if "reprint" in request.url else None
    )
    search_for(page, "Kim")
    page.get_by_role("button", name="Reprint badge").click()
    page.keyboard.type("   ")
    page.keyboard.press("Enter")
    reason = page.locator("#search-results input")
    assert reason.evaluate("input => input.validationMessage") == "Give a reason for the reprint."
    assert sent == []
    assert page.locator("#answer").get_attribute("class") == "answer idle"
    badge.refresh_from_db()
    assert badge.revoked_at is None
    context.close()


def test_a_reprint_the_server_cannot_answer_says_so(browser, live_server, desk_user, delegate):
    ensure_badge_rendered(delegate=delegate)
    context, page = open_desk(browser, live_server, desk_user)
    page.route(
        "**/reprint",
        lambda route: route.fulfill(
            status=502, content_type="text/html", body="<h1>Bad gateway</h1>"
        ),
    )
    search_for(page, "Kim")
    page.get_by_role("button", name="Reprint badge").click()
    page.keyboard.type("Lost")
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer.refused")
    assert "502" in page.locator("#answer-why").inner_text()
    context.close()


def test_a_print_without_network_says_so(browser, live_server, desk_user, delegate):
    ensure_badge_rendered(delegate=delegate)
    context, page = open_desk(browser, live_server, desk_user)
    page.route("**/printed", lambda route: route.abort("internetdisconnected"))
    search_for(page, "Kim")
    page.get_by_role("button", name="Print badge Kim Seo-yeon", exact=True).click()
    page.wait_for_selector("#answer.refused")
    assert page.locator("#answer").get_attribute("data-reason") == "unreachable"
    assert page.evaluate("document.activeElement.id") == "wedge"
    context.close()


def write_y4m(path, png: bytes, frames: int = 10) -> None:
    """A few YUV4MPEG2 frames (4:2:0) of the QR image on white, for chromium's fake camera."""
    from PIL import Image

    width, height = 640, 480
    qr = Image.open(io.BytesIO(png)).convert("L")
    side = 300
    qr = qr.resize((side, side), Image.NEAREST)
    canvas = Image.new("RGB", (width, height), "white")
    canvas.paste(qr.convert("RGB"), ((width - side) // 2, (height - side) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    cb = cb.resize((width // 2, height // 2))
    cr = cr.resize((width // 2, height // 2))
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(y.tobytes() + cb.tobytes() + cr.tobytes())


def test_camera_reads_a_badge_and_shows_the_delegate(
    browser, live_server, desk_user, delegate, tmp_path
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    video = tmp_path / "badge.y4m"
    write_y4m(video, qr_png(token, box_size=8))
    # The camera needs a secure context: serve from 127.0.0.1, not a LAN name.
    url = live_server.url.replace("localhost", "127.0.0.1")
    # A browser of its own: the shared one has no fake camera.
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = camera_browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.add_cookies([{**login_cookie(desk_user, live_server), "url": url}])
    context.grant_permissions(["camera"], origin=url)
    page = context.new_page()
    page.goto(f"{url}/a/ga/badges/desk/?checkpoint=plenary")
    page.wait_for_selector("#desk[data-ready=true]")
    page.click("#camera-toggle")
    page.wait_for_selector("#answer.green", timeout=20000)
    assert page.locator("#answer-name").inner_text() == "Kim Seo-yeon"
    context.close()
    camera_browser.close()
    scan = Scan.objects.get()
    assert (scan.checkpoint.code, scan.reason) == ("plenary", "ok")


def scan_in_at_an_offline_desk(browser, live_server, desk_user, delegate):
    """A desk page loaded once, then cut off the network, scans the delegate in: green."""
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    context.set_offline(True)
    page.fill("#wedge", token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.green")
    return context, page, token


def test_offline_desk_answers_from_cache_queues_and_uploads_when_back(
    browser, live_server, desk_user, delegate, assembly
):
    context, page, token = scan_in_at_an_offline_desk(browser, live_server, desk_user, delegate)
    assert "offline" in page.locator("#answer-verdict").text_content()
    assert page.locator("#answer-name").inner_text() == "Kim Seo-yeon"
    # The same badge again at this offline desk: amber from the cached presence.
    page.fill("#wedge", token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.amber")
    page.wait_for_function(
        "document.getElementById('queue-note').textContent.includes('2 scans waiting')"
    )
    assert Scan.objects.count() == 0
    context.set_offline(False)
    assert wait_for(lambda: Scan.objects.count() == 2)
    page.wait_for_function("!document.getElementById('queue-note').textContent.includes('waiting')")
    assert sorted(Scan.objects.values_list("reason", flat=True)) == ["already_in", "ok"]
    assert all(Scan.objects.values_list("offline", flat=True))
    assert not Scan.objects.filter(conflict=True).exists()
    context.close()


def test_a_queue_the_server_refuses_stays_on_the_desk_with_the_reason_and_uploads_once_fixed(
    browser, live_server, desk_user, delegate, assembly
):
    from assembly.models import Checkpoint

    context, page, _token = scan_in_at_an_offline_desk(browser, live_server, desk_user, delegate)
    # While the desk is offline, the secretariat renames its checkpoint.
    entrance = Checkpoint.objects.get(assembly=assembly, code="entrance")
    Checkpoint.objects.filter(pk=entrance.pk).update(code="main-door")
    context.set_offline(False)
    page.wait_for_function(
        "document.getElementById('queue-note').textContent.includes('refused the queue')"
    )
    note = page.locator("#queue-note").text_content()
    assert "1 scan waiting to upload" in note
    assert "entrance" in note  # the server's reason names the unknown checkpoint
    assert page.locator("#net").text_content() != page.evaluate(
        "JSON.parse(document.getElementById('desk-labels').textContent).offline_net"
    )
    assert Scan.objects.count() == 0
    Checkpoint.objects.filter(pk=entrance.pk).update(code="entrance")
    assert wait_for(lambda: Scan.objects.count() == 1)
    page.wait_for_function("!document.getElementById('queue-note').textContent.includes('waiting')")
    context.close()


def test_forged_token_is_red_even_offline(browser, live_server, desk_user, delegate):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    forged = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    context, page = open_desk(browser, live_server, desk_user)
    context.set_offline(True)
    page.fill("#wedge", forged)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.red")
    assert page.locator("#answer").get_attribute("data-reason") == "invalid"
    context.close()


def test_delegate_badge_shows_full_screen_qr_and_works_offline_after_one_load(
    browser, live_server, delegate
):
    ensure_badge_rendered(delegate=delegate)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.add_cookies([login_cookie(delegate.user, live_server)])
    page = context.new_page()
    page.goto(f"{live_server.url}/a/ga/badges/my/")
    assert page.locator(".qr svg").is_visible()
    width = page.locator(".qr svg").bounding_box()["width"]
    assert width >= 330  # most of a 390 px phone screen
    # Wait until the service worker controls the page, then load it once more to cache it.
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10000)
    page.reload()
    context.set_offline(True)
    page.reload()
    assert page.locator(".qr svg").is_visible()
    assert page.get_by_text("Kim Seo-yeon").first.is_visible()
    context.close()


def test_an_offline_desk_finds_a_name_typed_without_case_or_accents(
    browser, live_server, desk_user, delegate, assembly
):
    from tests.factories import DelegateFactory

    DelegateFactory(assembly=assembly, full_name="Айгерим Pérez")
    context, page = open_desk(browser, live_server, desk_user)
    page.wait_for_function("document.getElementById('desk').dataset.ready === 'true'")
    context.set_offline(True)
    search_for(page, "PEREZ")  # no accent, another case: answered from the cached roster
    assert "Айгерим Pérez" in page.locator("#search-results").inner_text()
    page.fill("#search", "")
    search_for(page, "kim seoyeon")  # without the hyphen, as the server finds it online
    page.wait_for_function(
        "document.getElementById('search-results').innerText.includes('Kim Seo-yeon')"
    )
    context.close()


def test_a_long_offline_queue_goes_up_in_parts(browser, live_server, desk_user, delegate, assembly):
    from tests.factories import DelegateFactory

    others = [
        token_for(ensure_badge_rendered(delegate=person))
        for person in DelegateFactory.create_batch(2, assembly=assembly)
    ]  # in the roster the desk caches as it loads
    context, page, _token = scan_in_at_an_offline_desk(browser, live_server, desk_user, delegate)
    for waiting, token in enumerate(others, start=2):
        page.fill("#wedge", token)
        page.press("#wedge", "Enter")
        page.wait_for_function(
            f"document.getElementById('queue-note').textContent.includes('{waiting} scans waiting')"
        )
    page.evaluate("document.getElementById('desk').dataset.uploadChunk = '2'")
    uploads = []
    page.on(
        "request",
        lambda request: uploads.append(request) if "scans/offline" in request.url else None,
    )
    context.set_offline(False)
    assert wait_for(lambda: Scan.objects.count() == 3)
    page.wait_for_function("!document.getElementById('queue-note').textContent.includes('waiting')")
    assert [len(json.loads(r.post_data)["scans"]) for r in uploads] == [2, 1]
    context.close()


def badge_tokens(assembly, count):
    from tests.factories import DelegateFactory

    return [
        token_for(ensure_badge_rendered(delegate=person))
        for person in DelegateFactory.create_batch(count, assembly=assembly)
    ]


def test_five_scans_cut_off_at_once_are_all_queued_and_uploaded(
    browser, live_server, desk_user, assembly
):
    tokens = badge_tokens(assembly, 5)
    context, page = open_desk(browser, live_server, desk_user)
    in_flight = []
    page.route("**/scans", lambda route: in_flight.append(route))
    page.route("**/scans/offline", lambda route: route.abort("internetdisconnected"))
    for token in tokens:
        page.keyboard.type(token)
        page.keyboard.press("Enter")
    while len(in_flight) < 5:
        page.wait_for_timeout(50)
    for route in in_flight:  # the wifi drops under five scans in flight
        route.abort("internetdisconnected")
    page.wait_for_function(
        "document.getElementById('queue-note').textContent.includes('5 scans waiting')"
    )
    page.unroute("**/scans/offline")
    assert wait_for(lambda: Scan.objects.count() == 5, timeout=20)
    assert sorted(Scan.objects.values_list("token", flat=True)) == sorted(tokens)
    page.wait_for_function("!document.getElementById('queue-note').textContent.includes('waiting')")
    context.close()


def test_a_long_unreadable_read_offline_is_not_a_badge_and_does_not_block_the_queue(
    browser, live_server, desk_user, delegate
):
    context, page, _token = scan_in_at_an_offline_desk(browser, live_server, desk_user, delegate)
    vcard = "BEGIN:VCARD;N:Someone;" + "X" * 2100
    page.fill("#wedge", vcard)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.red")
    assert page.locator("#answer").get_attribute("data-reason") == "invalid"
    context.set_offline(False)
    assert wait_for(lambda: Scan.objects.count() == 2, timeout=20)
    assert sorted(Scan.objects.values_list("reason", flat=True)) == ["invalid", "ok"]
    page.wait_for_function("!document.getElementById('queue-note').textContent.includes('waiting')")
    # Online, the same read is the usual red answer, not a technical message.
    page.fill("#wedge", vcard)
    page.press("#wedge", "Enter")
    assert wait_for(lambda: Scan.objects.count() == 3)
    assert page.locator("#answer").get_attribute("data-reason") == "invalid"
    assert "Invalid input" not in page.locator("#answer").inner_text()
    context.close()


def test_a_late_answer_does_not_replace_the_answer_to_the_latest_scan(
    browser, live_server, desk_user, delegate, secretariat_user, assembly
):
    from tests.factories import DelegateFactory

    first = token_for(ensure_badge_rendered(delegate=delegate))
    other = DelegateFactory(assembly=assembly, full_name="Ana Revoked")
    revoked = token_for(ensure_badge_rendered(delegate=other))
    revoke_badge(assembly=assembly, delegate_id=other.pk, by=secretariat_user, reason="Lost")
    context, page = open_desk(browser, live_server, desk_user)
    held = []
    page.route("**/scans", lambda route: route.continue_() if held else held.append(route))
    page.fill("#wedge", first)
    page.press("#wedge", "Enter")  # its answer is delayed
    page.fill("#wedge", revoked)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.red")
    held[0].continue_()
    page.wait_for_function(
        "document.getElementById('answer-history').textContent.includes('Kim Seo-yeon')"
    )
    assert page.locator("#answer").get_attribute("data-reason") == "revoked"
    assert page.locator("#answer-name").inner_text() == "Ana Revoked"
    context.close()


def test_the_desk_opens_offline_after_one_load_whatever_its_checkpoint(
    browser, live_server, desk_user, delegate
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10000)
    context.set_offline(True)
    page.goto(f"{live_server.url}/a/ga/badges/desk/?checkpoint=plenary")
    page.wait_for_selector("#desk[data-ready=true]")
    page.fill("#wedge", token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.green")
    assert "offline" in page.locator("#answer-verdict").text_content()
    assert page.input_value("#checkpoint") == "plenary"
    context.close()


def test_a_scan_lands_wherever_the_focus_is_on_the_desk_controls(
    browser, live_server, desk_user, assembly
):
    tokens = badge_tokens(assembly, 4)
    context, page = open_desk(browser, live_server, desk_user)
    desk_name = page.input_value("#desk-name")
    for index, (selector, token) in enumerate(
        zip(
            ["input[value=in]", "#checkpoint", "#desk-name", "#camera-toggle"], tokens, strict=True
        ),
        start=1,
    ):
        page.focus(selector)
        if selector == "input[value=in]":
            page.click(selector)  # a tap on the direction already chosen
        page.keyboard.type(token)
        page.keyboard.press("Enter")
        assert wait_for(lambda index=index: Scan.objects.count() == index), selector
        scan = Scan.objects.order_by("-pk").first()
        assert (scan.reason, scan.token) == ("ok", token), selector
        page.wait_for_selector(f"#answer-name:text('{scan.delegate.full_name}')")
        assert page.locator("#answer").get_attribute("data-reason") == "ok", selector
        assert page.evaluate("document.activeElement.id") == "wedge"
    assert page.input_value("#checkpoint") == "entrance"
    assert page.input_value("#desk-name") == desk_name
    assert page.locator("#camera-video").is_hidden()
    assert sorted(Scan.objects.values_list("token", flat=True)) == sorted(tokens)
    context.close()


def test_the_direction_out_is_remembered_across_a_reload(browser, live_server, desk_user):
    context, page = open_desk(browser, live_server, desk_user)
    page.check("input[value=out]")
    page.reload()
    page.wait_for_selector("#desk[data-ready=true]")
    assert page.is_checked("input[value=out]")
    context.close()


def test_the_answer_wraps_a_long_name_on_a_phone_and_hides_an_empty_flag(
    browser, live_server, desk_user, delegate
):
    delegate.full_name = "João Conceição da Silva Albuquerque"
    delegate.save()
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    context.add_cookies([login_cookie(desk_user, live_server)])
    page = context.new_page()
    page.goto(f"{live_server.url}/a/ga/badges/desk/?checkpoint=entrance")
    page.wait_for_selector("#desk[data-ready=true]")
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer.green")
    assert "Conceição da Silva Albuquerque" in page.locator("#answer-name").inner_text()
    assert page.locator("#answer-flag").is_hidden()
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('#answer p')].filter((p) => {
             const box = p.getBoundingClientRect();
             return p.scrollWidth > p.clientWidth || box.right > window.innerWidth;
           }).map((p) => p.id)"""
    )
    assert clipped == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_a_desk_offline_across_the_night_forgets_who_was_inside(
    browser, live_server, desk_user, delegate
):
    # Found by a tester: the next morning it answered "Already in" to everyone it had let in.
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.add_cookies([login_cookie(desk_user, live_server)])
    page = context.new_page()
    page.clock.install()
    page.goto(f"{live_server.url}/a/ga/badges/desk/?checkpoint=entrance")
    page.wait_for_selector("#desk[data-ready=true]")
    context.set_offline(True)
    page.fill("#wedge", token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.green")
    page.clock.fast_forward("25:00:00")  # past the night's end of presence
    page.fill("#wedge", token)
    page.press("#wedge", "Enter")
    page.wait_for_function(
        "document.getElementById('queue-note').textContent.includes('2 scans waiting')"
    )
    assert page.locator("#answer").get_attribute("data-reason") == "ok"
    context.close()
