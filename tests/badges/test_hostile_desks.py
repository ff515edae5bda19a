"""What a careless or hostile desk sends: each answer is clear and nothing changes by mistake."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from assembly.errors import Conflict
from badges.models import Badge, BadgeEvent, CheckpointPresence, Scan
from badges.services import QueuedScan, record_scan, upload_offline_scans
from registration.models import RegistrationState
from tests.badges.conftest import new_key
from tests.badges.test_api import post, scan_body, url
from tests.conftest import client_for
from tests.factories import AssemblyFactory, CheckpointFactory, DelegateFactory, UserFactory
from voting.models import DelegatePresence


def queued(token, *, at, direction="in", checkpoint="plenary", key=None, desk="A"):
    return QueuedScan(
        token=token,
        checkpoint=checkpoint,
        direction=direction,
        idempotency_key=key or new_key(),
        client_time=at,
        desk=desk,
        offline_answer="ok",
    )


def test_a_late_offline_exit_does_not_undo_a_later_entry(assembly, hall, token, delegate):
    record_scan(
        assembly=assembly, checkpoint=hall, token=token, direction="in", idempotency_key=new_key()
    )
    an_hour_ago = timezone.now() - timedelta(hours=1)
    [result] = upload_offline_scans(
        assembly=assembly, scans=[queued(token, at=an_hour_ago, direction="out")], by=None
    )
    assert result.conflict  # shown to the secretariat
    assert CheckpointPresence.objects.get(delegate=delegate, checkpoint=hall).inside
    assert DelegatePresence.objects.get(delegate=delegate).in_hall  # quorum keeps the member


def test_an_offline_desk_clock_before_the_assembly_takes_the_upload_time(assembly, hall, token):
    [result] = upload_offline_scans(
        assembly=assembly,
        scans=[queued(token, at=datetime(1970, 1, 1, tzinfo=UTC))],  # a desk clock never set
        by=None,
    )
    assert timezone.now() - result.at < timedelta(minutes=1)


def test_a_queue_refused_midway_records_none_of_it(assembly, token, delegate):
    other = AssemblyFactory(slug="other")
    other_checkpoint = CheckpointFactory(assembly=other, code="entrance")
    used = new_key()
    record_scan(
        assembly=other, checkpoint=other_checkpoint, token="x", direction="in", idempotency_key=used
    )
    before = Scan.objects.count()
    queue = [
        queued(token, at=timezone.now() - timedelta(minutes=3)),
        queued(token, at=timezone.now() - timedelta(minutes=2), direction="out"),
        queued(token, at=timezone.now() - timedelta(minutes=1), key=used),
    ]
    with pytest.raises(Conflict) as refused:
        upload_offline_scans(assembly=assembly, scans=queue, by=None)
    assert refused.value.code == "idempotency_key_reused"
    assert Scan.objects.count() == before
    assert not CheckpointPresence.objects.filter(delegate=delegate).exists()


def test_a_key_reused_for_another_badge_is_refused_not_answered_as_the_first(client, bearer, token):
    key = new_key()
    assert (
        post(client, url("badge_scan"), scan_body(token, idempotency_key=key), **bearer).json()[
            "reason"
        ]
        == "ok"
    )
    again = post(client, url("badge_scan"), scan_body("garbage", idempotency_key=key), **bearer)
    assert again.status_code == 409
    assert again.json()["code"] == "idempotency_key_reused"
    same = post(client, url("badge_scan"), scan_body(token, idempotency_key=key), **bearer)
    assert same.json()["replayed"] is True  # the same scan sent again still replays


def test_nul_anywhere_in_a_body_is_refused_and_records_nothing(client, bearer, token, delegate):
    before = Scan.objects.count()
    for body in (
        scan_body(token, checkpoint="entr\x00ance"),
        scan_body(token, desk="Desk\x00"),
        {"scans": [{**scan_body(token), "offline_answer": "ok\x00"}]},
    ):
        path = url("badge_scan_upload") if "scans" in body else url("badge_scan")
        response = post(client, path, body, **bearer)
        assert response.status_code == 422, body
        assert response.json()["code"] == "invalid_input"
    response = post(
        client, url("badge_reprint", delegate_id=delegate.pk), {"reason": "lost\x00"}, **bearer
    )
    assert response.status_code == 422
    assert Scan.objects.count() == before
    assert not BadgeEvent.objects.filter(kind="reprinted").exists()


def test_a_body_that_is_not_an_object_or_misspells_a_field_changes_nothing(
    secretariat_client, delegate
):
    delegate.attention = "Head of delegation"
    delegate.save()
    path = url("badge_attention", delegate_id=delegate.pk)
    for body in ([], 5, "x", None, {"attenton": ""}):
        response = secretariat_client.put(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 422, body
    delegate.refresh_from_db()
    assert delegate.attention == "Head of delegation"
    response = post(secretariat_client, url("badge_batch_start"), [])
    assert response.status_code == 422


def test_an_offline_answer_must_be_a_reason_code(client, bearer, token):
    body = {"scans": [{**scan_body(token), "offline_answer": "banana"}]}
    assert post(client, url("badge_scan_upload"), body, **bearer).status_code == 422
    assert not Scan.objects.exists()


def test_a_bad_bearer_token_or_no_login_is_unauthenticated_not_a_csrf_failure(token):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a browser or a desk device meets it
    for extra in ({"HTTP_AUTHORIZATION": "Bearer plen_not-a-token"}, {}):
        response = post(client, url("badge_scan"), scan_body(token), **extra)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_a_logged_in_session_still_needs_its_csrf_token(desk_user, token):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_user)
    response = post(client, url("badge_scan"), scan_body(token))
    assert response.status_code == 403


def test_desks_print_no_badge_for_a_delegate_who_is_not_approved(client, bearer, assembly):
    for state in (RegistrationState.REJECTED, RegistrationState.SUBMITTED):
        person = DelegateFactory(assembly=assembly, state=state)
        printed = post(client, url("badge_printed", delegate_id=person.pk), {}, **bearer)
        reprinted = post(
            client, url("badge_reprint", delegate_id=person.pk), {"reason": "lost"}, **bearer
        )
        assert printed.status_code == reprinted.status_code == 409
        assert reprinted.json()["code"] == "not_approved"
        assert not BadgeEvent.objects.filter(
            badge__delegate=person, kind__in=["printed", "reprinted"]
        ).exists()
        assert not Badge.objects.filter(delegate=person, version__gt=1).exists()


def test_the_attendance_page_says_impossible_times_are_not_times_without_a_server_error(
    secretariat_client, assembly
):
    path = f"/a/{assembly.slug}/badges/attendance/"
    for start in ("2026-02-30T10:00", "2026-11-28T25:00", "9999-12-31T23:00", "0001-01-01T00:00"):
        response = secretariat_client.get(path, {"start": start, "end": start})
        assert response.status_code == 400, start
        assert "is not a date and time" in response.content.decode(), start


def jpeg() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), "red").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="face.jpg")


def test_a_desk_sees_the_photo_a_scan_names_and_a_stranger_does_not(
    client, bearer, token, delegate, assembly
):
    delegate.photo.save("face.jpg", jpeg())
    body = post(client, url("badge_scan"), scan_body(token), **bearer).json()
    address = body["delegate"]["photo_url"]
    assert address.startswith("/photos/delegates/")
    shown = client.get(address, **bearer)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content)[:2] == b"\xff\xd8"
    assert client_for(delegate.user).get(address).status_code == 200  # their own
    other_assembly_desk = UserFactory(username="elsewhere")
    assert client_for(other_assembly_desk).get(address).status_code == 404
    assert client.get(address).status_code == 404  # anonymous


def test_desk_search_ignores_case_and_accents_in_any_script(client, bearer, assembly):
    DelegateFactory(assembly=assembly, full_name="Айгерим Сейткали")
    DelegateFactory(assembly=assembly, full_name="Ana Pérez")
    DelegateFactory(assembly=assembly, full_name="김서연")
    for query, name in (
        ("айгерим", "Айгерим Сейткали"),
        ("СЕЙТКАЛИ", "Айгерим Сейткали"),
        ("perez", "Ana Pérez"),
        ("PÉREZ", "Ana Pérez"),
        ("서연", "김서연"),
    ):
        response = client.get(url("badge_search"), {"q": query}, **bearer)
        assert [d["name"] for d in response.json()] == [name], query


def test_a_desk_cannot_reprint_a_badge_the_secretariat_revoked(
    client, bearer, secretariat_client, delegate, badge
):
    revoked = post(
        secretariat_client, url("badge_revoke", delegate_id=delegate.pk), {"reason": "Stolen"}
    )
    assert revoked.status_code == 200
    response = post(
        client, url("badge_reprint", delegate_id=delegate.pk), {"reason": "lost"}, **bearer
    )
    assert response.status_code == 409
    assert response.json()["code"] == "badge_revoked"
    badge.refresh_from_db()
    assert (badge.version, badge.revoked_at is not None) == (1, True)
    lifted = post(
        secretariat_client, url("badge_reprint", delegate_id=delegate.pk), {"reason": "Found"}
    )
    assert lifted.status_code == 200
    badge.refresh_from_db()
    assert (badge.version, badge.revoked_at) == (2, None)
