"""The badges API through its real URLs: scans, offline uploads, roster, reprint, revoke, PDFs."""

import json

import pytest
from django.urls import reverse

from badges.models import BadgeEvent, Scan
from tests.badges.conftest import new_key
from tests.conftest import client_for, requires_postgres
from tests.factories import AssemblyFactory, CheckpointFactory, DelegateFactory


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs={"slug": "ga", **kwargs})


def post(client, path, body, **extra):
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def scan_body(token, **overrides):
    return {
        "token": token,
        "checkpoint": "entrance",
        "direction": "in",
        "desk": "Desk 1",
        "idempotency_key": new_key(),
        **overrides,
    }


def test_desk_with_bearer_token_scans_a_badge(client, bearer, token):
    response = post(client, url("badge_scan"), scan_body(token), **bearer)
    assert response.status_code == 200
    body = response.json()
    assert body["reason"] == "ok"
    assert body["accepted"] is True
    assert body["delegate"]["name"] == "Kim Seo-yeon"


def test_garbage_scan_answers_invalid_not_a_server_error(client, bearer, assembly):
    response = post(client, url("badge_scan"), scan_body("%%%garbage%%%"), **bearer)
    assert response.status_code == 200
    assert response.json()["reason"] == "invalid"


def test_scan_at_unknown_checkpoint_is_404_and_records_nothing(client, bearer, token):
    response = post(client, url("badge_scan"), scan_body(token, checkpoint="nowhere"), **bearer)
    assert response.status_code == 404
    assert not Scan.objects.exists()


def test_delegate_cannot_scan(delegate_client, token):
    response = post(delegate_client, url("badge_scan"), scan_body(token))
    assert response.status_code == 403


def test_anonymous_cannot_scan(client, token):
    assert post(client, url("badge_scan"), scan_body(token)).status_code == 401


def test_desk_of_another_assembly_cannot_scan_here(client, token, assembly):
    from assembly.models import Role
    from assembly.services import issue_api_token
    from tests.conftest import staff_user

    other = AssemblyFactory(slug="elsewhere")
    user = staff_user(other, Role.DESK, "elsewhere-desk")
    _t, raw = issue_api_token(user=user, name="x")
    response = post(client, url("badge_scan"), scan_body(token), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403


def test_offline_upload_twice_returns_the_same_scans(client, bearer, token):
    queue = {"scans": [scan_body(token, client_time="2020-01-01T09:00:00Z", offline_answer="ok")]}
    first = post(client, url("badge_scan_upload"), queue, **bearer).json()
    second = post(client, url("badge_scan_upload"), queue, **bearer).json()
    assert first["results"][0]["scan_id"] == second["results"][0]["scan_id"]
    assert second["results"][0]["replayed"] is True
    assert Scan.objects.count() == 1


@pytest.mark.parametrize("client_time", ["2026-05-04T09:30:00", "0001-01-01T00:00:00+14:00"])
def test_offline_upload_with_a_time_without_offset_or_out_of_range_is_refused(
    client, bearer, token, client_time
):
    queue = {"scans": [scan_body(token, client_time=client_time, offline_answer="ok")]}
    response = post(client, url("badge_scan_upload"), queue, **bearer)
    assert response.status_code == 422
    assert "client_time" in response.json()["detail"]
    assert Scan.objects.count() == 0


def test_an_over_long_read_in_an_offline_queue_is_recorded_invalid_not_blocking_the_queue(
    client, bearer, token
):
    vcard = "BEGIN:VCARD\nN:Someone\n" + "X" * 2100
    queue = {
        "scans": [
            scan_body(token, client_time="2020-01-01T09:00:00Z", offline_answer="ok"),
            scan_body(vcard, client_time="2020-01-01T09:01:00Z", offline_answer="invalid"),
        ]
    }
    response = post(client, url("badge_scan_upload"), queue, **bearer)
    assert response.status_code == 200
    assert [r["reason"] for r in response.json()["results"]] == ["ok", "invalid"]
    stored = Scan.objects.get(reason="invalid").token
    assert (stored[:11], len(stored)) == ("BEGIN:VCARD", 200)


def test_an_over_long_read_online_answers_not_a_badge(client, bearer, assembly):
    response = post(client, url("badge_scan"), scan_body("BEGIN:VCARD" + "X" * 2100), **bearer)
    assert response.status_code == 200
    assert response.json()["reason"] == "invalid"


def test_offline_upload_naming_an_unknown_checkpoint_records_nothing(client, bearer, token):
    queue = {"scans": [scan_body(token), scan_body(token, checkpoint="cloakroom")]}
    response = post(client, url("badge_scan_upload"), queue, **bearer)
    assert response.status_code == 404
    assert "cloakroom" in response.json()["detail"]
    assert Scan.objects.count() == 0


def test_offline_upload_with_an_unusable_key_anywhere_records_nothing(client, bearer, token):
    later = scan_body(token, client_time="2020-01-01T09:05:00Z", offline_answer="ok")
    later["idempotency_key"] = "\u0001" * 12  # long enough, but nothing printable in it
    first = scan_body(token, client_time="2020-01-01T09:00:00Z", offline_answer="ok")
    response = post(client, url("badge_scan_upload"), {"scans": [first, later]}, **bearer)
    assert response.status_code == 422
    assert "idempotency key" in response.json()["detail"]
    assert Scan.objects.count() == 0


def test_roster_carries_public_key_and_badge_versions_with_etag(client, bearer, badge, delegate):
    response = client.get(url("badge_roster"), **bearer)
    assert response.status_code == 200
    body = response.json()
    assert len(body["public_key"]) == 64
    [row] = body["delegates"]
    assert (row["id"], row["badge_version"], row["revoked"]) == (delegate.pk, 1, False)
    again = client.get(url("badge_roster"), HTTP_IF_NONE_MATCH=response["ETag"], **bearer)
    assert again.status_code == 304


def test_roster_changes_etag_after_a_reprint(client, bearer, badge, delegate):
    etag = client.get(url("badge_roster"), **bearer)["ETag"]
    post(client, url("badge_reprint", delegate_id=delegate.pk), {"reason": "Lost"}, **bearer)
    response = client.get(url("badge_roster"), HTTP_IF_NONE_MATCH=etag, **bearer)
    assert response.status_code == 200
    assert response.json()["delegates"][0]["badge_version"] == 2


def test_roster_lists_only_this_assemblys_delegates(client, bearer, badge):
    other = AssemblyFactory(slug="elsewhere")
    DelegateFactory(assembly=other, full_name="Someone Else")
    names = [d["name"] for d in client.get(url("badge_roster"), **bearer).json()["delegates"]]
    assert names == ["Kim Seo-yeon"]


def test_reprint_records_who_and_why_and_returns_a_pdf(client, bearer, badge, delegate, desk_user):
    response = post(
        client,
        url("badge_reprint", delegate_id=delegate.pk),
        {"reason": "Lost", "desk": "D2"},
        **bearer,
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    event = BadgeEvent.objects.get(kind="reprinted")
    assert (event.by, event.reason, event.desk, event.version) == (desk_user, "Lost", "D2", 2)
    pdf = client.get(response.json()["pdf_url"], **bearer)
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_reprint_without_reason_is_refused_and_changes_nothing(client, bearer, badge, delegate):
    response = post(
        client, url("badge_reprint", delegate_id=delegate.pk), {"reason": " "}, **bearer
    )
    assert response.status_code == 422
    badge.refresh_from_db()
    assert badge.version == 1


def test_desk_may_not_revoke_but_secretariat_may(
    client, bearer, secretariat_client, badge, delegate
):
    path = url("badge_revoke", delegate_id=delegate.pk)
    assert post(client, path, {"reason": "Stolen"}, **bearer).status_code == 403
    response = post(secretariat_client, path, {"reason": "Stolen"})
    assert response.status_code == 200
    assert response.json()["revoked"] is True
    assert post(secretariat_client, path, {"reason": "again"}).json()["code"] == "already_revoked"


def test_print_is_recorded_apart_from_check_in(client, bearer, badge, delegate):
    response = post(client, url("badge_printed", delegate_id=delegate.pk), {"desk": "D1"}, **bearer)
    assert response.status_code == 200
    assert BadgeEvent.objects.filter(kind="printed", desk="D1").count() == 1
    assert not Scan.objects.exists()


def test_delegate_downloads_own_badge_pdf_but_not_anothers(delegate_client, badge, assembly):
    mine = delegate_client.get(url("badge_pdf", delegate_id=badge.delegate_id))
    assert mine.status_code == 200
    other = DelegateFactory(assembly=assembly)
    from badges.services import ensure_badge_rendered

    ensure_badge_rendered(delegate=other)
    assert delegate_client.get(url("badge_pdf", delegate_id=other.pk)).status_code == 404


def test_search_finds_by_part_of_the_name(client, bearer, badge):
    response = client.get(url("badge_search") + "?q=seo", **bearer)
    assert [row["name"] for row in response.json()] == ["Kim Seo-yeon"]


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("yilmaz", "Ay\N{LATIN SMALL LETTER DOTLESS I}lin Y\N{LATIN SMALL LETTER DOTLESS I}lmaz"),
        ("lukasz", "Łukasz Nowak"),
        ("soren", "Søren Kierkegaard"),
        ("dang", "Đặng Thu Hà"),
        ("strasse", "Anna Straße"),
        ("aeroe", "Bo Ærøe"),
    ],
)
def test_search_finds_letters_typed_without_their_stroke_or_ligature(
    client, bearer, assembly, typed, name
):
    DelegateFactory(assembly=assembly, full_name=name)
    response = client.get(url("badge_search") + f"?q={typed}", **bearer)
    assert [row["name"] for row in response.json()] == [name]


def test_search_gives_one_more_than_the_desk_shows_when_asked(client, bearer, assembly):
    for number in range(25):
        DelegateFactory(assembly=assembly, full_name=f"Lee Number {number}")
    assert len(client.get(url("badge_search") + "?q=lee", **bearer).json()) == 20
    assert len(client.get(url("badge_search") + "?q=lee&limit=21", **bearer).json()) == 21


def test_counts_show_inside_and_entries_today(client, bearer, token):
    post(client, url("badge_scan"), scan_body(token), **bearer)
    body = client.get(url("badge_checkin_counts"), **bearer).json()
    entrance = next(cp for cp in body["checkpoints"] if cp["code"] == "entrance")
    assert (entrance["inside"], entrance["entries_today"]) == (1, 1)


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batch_renders_in_the_background_and_offers_the_download(assembly, secretariat_user):
    import time

    for name in ["Ana", "Bo", "Cy"]:
        DelegateFactory(assembly=assembly, full_name=name)
    client = client_for(secretariat_user)
    response = post(client, url("badge_batch_start"), {"layout": "a4"})
    assert response.status_code == 201
    status_url = url("badge_batch_status", batch_id=response.json()["id"])
    for _ in range(200):
        body = client.get(status_url).json()
        if body["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert body["status"] == "done", body
    assert (body["done"], body["total"], body["percent"]) == (3, 3, 100)
    download = client.get(body["download_url"])
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_second_batch_while_one_runs_is_refused(secretariat_client, assembly, badge):
    from django.utils import timezone

    from badges.models import BadgeBatch

    BadgeBatch.objects.create(
        assembly=assembly, layout="a6", status="running", total=1, heartbeat_at=timezone.now()
    )
    response = post(secretariat_client, url("badge_batch_start"), {"layout": "a6"})
    assert response.status_code == 409


def test_batch_of_a_killed_server_reads_as_failed_once_stale_and_can_start_again(
    secretariat_client, assembly, badge
):
    from datetime import timedelta

    from django.utils import timezone

    from badges.models import BadgeBatch

    killed = BadgeBatch.objects.create(
        assembly=assembly,
        layout="a6",
        status="running",
        total=1,
        heartbeat_at=timezone.now() - timedelta(minutes=6),
    )
    body = secretariat_client.get(url("badge_batch_status", batch_id=killed.pk)).json()
    assert body["status"] == "failed"
    assert "start the batch again" in body["error"]
    response = post(secretariat_client, url("badge_batch_start"), {"layout": "a6"})
    assert response.status_code == 201


def test_batch_run_reports_progress_and_download(secretariat_client, assembly, secretariat_user):
    from badges.models import BadgeBatch
    from badges.services import run_badge_batch

    for name in ["Ana", "Bo", "Cy", "Di", "Ed"]:
        DelegateFactory(assembly=assembly, full_name=name)
    batch = BadgeBatch.objects.create(assembly=assembly, layout="a6", total=5)
    run_badge_batch(batch_id=batch.pk, chunk=2)
    body = secretariat_client.get(url("badge_batch_status", batch_id=batch.pk)).json()
    assert (body["status"], body["done"], body["percent"]) == ("done", 5, 100)
    download = secretariat_client.get(body["download_url"])
    assert b"".join(download.streaming_content).count(b"/Type /Page\n") >= 0
    import io

    from pypdf import PdfReader

    reader = PdfReader(
        io.BytesIO(b"".join(secretariat_client.get(body["download_url"]).streaming_content))
    )
    assert len(reader.pages) == 5


def test_failed_batch_says_why(secretariat_client, assembly):
    from badges.models import BadgeBatch
    from badges.services import run_badge_batch

    batch = BadgeBatch.objects.create(assembly=assembly, layout="zz", total=0)
    run_badge_batch(batch_id=batch.pk)
    body = secretariat_client.get(url("badge_batch_status", batch_id=batch.pk)).json()
    assert body["status"] == "failed"
    assert body["error"]
    assert body["download_url"] == ""


def test_withdrawn_desk_role_stops_scans_at_once(client, bearer, token, desk_user):
    from assembly.models import StaffRole

    assert post(client, url("badge_scan"), scan_body(token), **bearer).status_code == 200
    StaffRole.objects.filter(user=desk_user).delete()
    # Their last staff role gone, the desk's token no longer authenticates anyone.
    refused = post(client, url("badge_scan"), scan_body(token), **bearer)
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"


def test_secretariat_sets_the_attention_flag_the_desk_then_shows(
    secretariat_client, client, bearer, token, delegate
):
    path = url("badge_attention", delegate_id=delegate.pk)
    response = secretariat_client.put(
        path, json.dumps({"attention": "Wheelchair user"}), content_type="application/json"
    )
    assert response.status_code == 200
    body = post(client, url("badge_scan"), scan_body(token), **bearer).json()
    assert body["delegate"]["attention"] == "Wheelchair user"


def test_desk_may_not_set_the_attention_flag(client, bearer, delegate):
    path = url("badge_attention", delegate_id=delegate.pk)
    response = client.put(
        path, json.dumps({"attention": "x"}), content_type="application/json", **bearer
    )
    assert response.status_code == 403


def other_assembly_delegate():
    from badges.services import ensure_badge_rendered

    other = AssemblyFactory(slug="elsewhere")
    CheckpointFactory(assembly=other, code="entrance", name="Gate", kind="entrance")
    stranger = DelegateFactory(assembly=other, full_name="Someone Else")
    ensure_badge_rendered(delegate=stranger)
    return stranger


def test_another_assemblys_badge_is_invisible_here(client, bearer, secretariat_client, assembly):
    stranger = other_assembly_delegate()
    assert client.get(url("badge_pdf", delegate_id=stranger.pk), **bearer).status_code == 404
    reprint = post(client, url("badge_reprint", delegate_id=stranger.pk), {"reason": "x"}, **bearer)
    assert reprint.status_code == 404
    revoke = post(secretariat_client, url("badge_revoke", delegate_id=stranger.pk), {"reason": "x"})
    assert revoke.status_code == 404
    assert client.get(url("badge_search") + "?q=Someone", **bearer).json() == []
    stranger.badge.refresh_from_db()
    assert (stranger.badge.version, stranger.badge.revoked_at) == (1, None)


def test_another_assemblys_batch_and_counts_are_refused(
    client, bearer, secretariat_client, assembly
):
    from badges.models import BadgeBatch

    stranger = other_assembly_delegate()
    batch = BadgeBatch.objects.create(assembly=stranger.assembly, layout="a6", total=1)
    assert secretariat_client.get(url("badge_batch_status", batch_id=batch.pk)).status_code == 404
    other_counts = reverse("api:badge_checkin_counts", kwargs={"slug": "elsewhere"})
    assert client.get(other_counts, **bearer).status_code == 403


def test_badge_pdf_of_an_id_beyond_64_bits_is_not_found(client, bearer, badge):
    response = client.get(url("badge_pdf", delegate_id=2**63), **bearer)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
