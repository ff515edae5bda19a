"""What the trial's desks found: prefixed scanner reads, poisoned queues, badge versions, search."""

import pytest
from django.test import Client

from badges.models import Badge, Scan
from badges.selectors import search_delegates
from badges.services import issue_token
from tests.badges.test_api import post, scan_body, url
from tests.factories import DelegateFactory


@pytest.mark.parametrize("prefix", ["\x1d", "\x1e", "\x1c", "\x85", "\t", "\u200b"])
def test_a_prefixed_read_of_a_badge_checks_in_as_the_desk_reads_it(client, bearer, token, prefix):
    response = post(client, url("badge_scan"), scan_body(prefix + token + "\r"), **bearer)
    assert response.json()["reason"] == "ok"


def test_a_read_cut_mid_emoji_is_refused_alone_and_the_rest_of_the_queue_uploads(
    client, bearer, token
):
    cut = "😀" * 99 + "\ud83d"  # as desk.js stored it: 200 UTF-16 units, the last half a pair
    queue = {
        "scans": [
            scan_body(token, client_time="2020-01-01T09:00:00Z", offline_answer="ok"),
            scan_body(cut, client_time="2020-01-01T09:01:00Z", offline_answer="invalid"),
            scan_body("AB\x00CD", client_time="2020-01-01T09:02:00Z", offline_answer="invalid"),
            scan_body(token, desk="Desk 🇰", client_time="2020-01-01T09:03:00Z")
            | {"desk": "D" * 59 + "\ud83c", "offline_answer": "already_in"},
        ]
    }
    response = post(client, url("badge_scan_upload"), queue, **bearer)
    assert response.status_code == 200
    assert [r["reason"] for r in response.json()["results"]] == [
        "ok",
        "invalid",
        "invalid",
        "already_in",
    ]
    assert Scan.objects.filter(reason="ok", delegate__isnull=False).count() == 1
    assert "\ufffd" in Scan.objects.get(token__startswith="😀").token


def test_a_nul_in_an_online_scan_body_is_still_refused(client, bearer, token):
    response = post(client, url("badge_scan"), scan_body(token + "\x00"), **bearer)
    assert response.status_code == 422


def test_a_badge_version_never_printed_is_not_called_expired(client, bearer, badge, delegate):
    forged_later = issue_token(assembly_id=badge.assembly_id, delegate_id=delegate.pk, version=7)
    answer = post(client, url("badge_scan"), scan_body(forged_later), **bearer).json()
    assert answer["reason"] == "revoked"
    assert "expired" not in answer["explanation"]
    assert "version 7 was never printed" in answer["explanation"]
    assert Badge.objects.get(pk=badge.pk).version == 1


def test_search_ignores_hyphens_and_spaces(assembly):
    DelegateFactory(assembly=assembly, full_name="Kim Seo-yeon")
    for query in ("kim seoyeon", "seoyeon", "Seo yeon", "kimseo-yeon"):
        names = [d.full_name for d in search_delegates(assembly=assembly, query=query)]
        assert names == ["Kim Seo-yeon"], query


def test_logout_clears_the_desk_tablets_site_data_and_stays_post_only(desk_client, desk_user):
    assert desk_client.get("/logout/").status_code == 405
    response = desk_client.post("/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.force_login(desk_user)
    assert csrf_checked.post("/logout/").status_code == 403


def test_logout_keeps_stored_data_while_a_desk_s_scans_wait_to_go_up(desk_client):
    desk_client.cookies["plenary_desk_queue"] = "1"
    response = desk_client.post("/logout/")
    assert response["Clear-Site-Data"] == '"cache"'  # the queued check-ins stay on the tablet
