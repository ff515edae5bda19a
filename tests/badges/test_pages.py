"""Badge pages: who may open them and what they show."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from badges.models import Scan
from badges.services import record_scan
from tests.badges.conftest import new_key


def page(name, **kwargs):
    return reverse(name, kwargs={"slug": "ga", **kwargs})


def test_desk_page_has_a_focused_wedge_input_and_checkpoints(desk_client, assembly):
    html = desk_client.get(page("badges-desk")).content.decode()
    assert re.search(r'<input[^>]*id="wedge"[^>]*autofocus', html)
    assert "Plenary hall" in html
    assert 'id="desk-labels"' in html


def test_a_desk_of_an_assembly_without_checkpoints_says_what_to_set_up(desk_client, assembly):
    assembly.checkpoints.all().delete()
    html = desk_client.get(page("badges-desk")).content.decode()
    assert "no checkpoint yet" in html
    assert 'id="wedge"' not in html  # nothing to scan into: scans would count nowhere


def test_delegate_may_not_open_the_desk(delegate_client):
    assert delegate_client.get(page("badges-desk")).status_code == 403


def test_my_badge_shows_a_qr_code_of_the_current_token(delegate_client, delegate):
    html = delegate_client.get(page("badges-my")).content.decode()
    assert "<svg" in html
    assert "Kim Seo-yeon" in html


def test_my_badge_of_unapproved_delegate_shows_no_qr(delegate_client, delegate):
    delegate.state = "submitted"
    delegate.save()
    html = delegate_client.get(page("badges-my")).content.decode()
    assert "<svg" not in html
    assert "once your registration is approved" in html


def test_delegate_home_links_to_the_badge(delegate_client, delegate):
    html = delegate_client.get(reverse("delegate-home", kwargs={"slug": "ga"})).content.decode()
    assert page("badges-my") in html


def test_service_worker_is_served_as_javascript_for_the_badges_scope(client, assembly):
    response = client.get(page("badges-sw"))
    assert response["Content-Type"].startswith("text/javascript")
    assert "/a/ga/badges/" in response.content.decode()


def test_service_worker_of_an_unknown_assembly_is_not_found(client, assembly):
    response = client.get(reverse("badges-sw", kwargs={"slug": "no-such-assembly"}))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_dashboard_is_for_the_secretariat(secretariat_client, desk_client):
    assert secretariat_client.get(page("badges-dashboard")).status_code == 200
    assert desk_client.get(page("badges-dashboard")).status_code == 403


def test_dashboard_lists_revoked_badges_with_who_and_why(
    secretariat_client, secretariat_user, badge, delegate, assembly
):
    from badges.services import revoke_badge

    revoke_badge(
        assembly=assembly, delegate_id=delegate.pk, by=secretariat_user, reason="Reported stolen"
    )
    html = secretariat_client.get(page("badges-dashboard")).content.decode()
    assert "Reported stolen" in html
    assert "Kim Seo-yeon" in html


def test_attendance_report_lists_who_was_in_the_hall_and_for_how_long(
    secretariat_client, assembly, hall, token, delegate
):
    record_scan(
        assembly=assembly, checkpoint=hall, token=token, direction="in", idempotency_key=new_key()
    )
    entry = Scan.objects.get()
    entry.effective_at = timezone.now() - timedelta(minutes=90)
    entry.save()
    exit_scan = record_scan(
        assembly=assembly, checkpoint=hall, token=token, direction="out", idempotency_key=new_key()
    )
    Scan.objects.filter(pk=exit_scan.scan_id).update(
        effective_at=timezone.now() - timedelta(minutes=30)
    )
    start = (
        (timezone.now() - timedelta(hours=2)).astimezone(assembly.zone).strftime("%Y-%m-%dT%H:%M")
    )
    end = timezone.now().astimezone(assembly.zone).strftime("%Y-%m-%dT%H:%M")
    response = secretariat_client.get(
        page("badges-attendance") + f"?checkpoint=plenary&start={start}&end={end}&format=csv"
    )
    rows = response.content.decode().splitlines()
    assert len(rows) == 2
    name, _org, _role, _first_in, _last_out, minutes, at_start, at_end = rows[1].split(",")
    assert name == "Kim Seo-yeon"
    assert 59 <= int(minutes) <= 61
    assert (at_start, at_end) == ("no", "no")
    html = secretariat_client.get(
        page("badges-attendance") + f"?checkpoint=plenary&start={start}&end={end}"
    ).content.decode()
    assert "Kim Seo-yeon" in html


def test_answer_colours_keep_contrast_of_at_least_4_5(settings):
    css = (settings.BASE_DIR / "static/css/badges.css").read_text()

    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in ("green", "amber", "red"):
        rule = re.search(
            rf"\.answer\.{colour} \{{ background: (#[0-9a-f]{{6}}); color: (#[0-9a-f]{{6}});", css
        )
        background, text = (luminance(c) for c in rule.groups())
        ratio = (max(background, text) + 0.05) / (min(background, text) + 0.05)
        assert ratio >= 4.5, (colour, ratio)


def test_secretariat_revokes_a_badge_from_the_dashboard_with_a_reason(
    secretariat_client, badge, delegate
):
    response = secretariat_client.post(
        page("badges-action"),
        {"delegate": delegate.pk, "reason": "Lost and reported", "action": "revoke"},
        follow=True,
    )
    badge.refresh_from_db()
    assert badge.revoked_at is not None
    assert "Lost and reported" in response.content.decode()


def test_revoke_without_reason_changes_nothing_and_says_why(secretariat_client, badge, delegate):
    response = secretariat_client.post(
        page("badges-action"),
        {"delegate": delegate.pk, "reason": "", "action": "revoke"},
        follow=True,
    )
    badge.refresh_from_db()
    assert badge.revoked_at is None
    assert "Say why the badge is revoked" in response.content.decode()


def test_secretariat_sets_a_desk_flag_from_the_dashboard(secretariat_client, delegate):
    secretariat_client.post(
        page("badges-action"),
        {"delegate": delegate.pk, "reason": "Wheelchair", "action": "attention"},
    )
    delegate.refresh_from_db()
    assert delegate.attention == "Wheelchair"
