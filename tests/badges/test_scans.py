"""The scan service: one answer per scan, every scan recorded, presence moved exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from badges.models import CheckpointPresence, Reason, Scan
from badges.services import record_scan, reprint_badge, revoke_badge, token_for
from badges.tokens import issue_token
from tests.badges.conftest import new_key
from tests.factories import AssemblyFactory, DelegateFactory
from voting.models import DelegatePresence


def scan(assembly, checkpoint, token, direction="in", **kwargs):
    return record_scan(
        assembly=assembly,
        checkpoint=checkpoint,
        token=token,
        direction=direction,
        idempotency_key=kwargs.pop("key", None) or new_key(),
        desk=kwargs.pop("desk", "Desk 1"),
        **kwargs,
    )


def test_valid_badge_checks_in_with_the_delegate_summary(assembly, entrance, token, delegate):
    delegate.attention = "Head of delegation"
    delegate.save()
    result = scan(assembly, entrance, token)
    assert result.reason == Reason.OK
    assert result.delegate["name"] == "Kim Seo-yeon"
    assert result.delegate["organization"] == "Seoul"
    assert result.delegate["attention"] == "Head of delegation"
    assert result.delegate["badge_version"] == 1
    assert "Entrance" in result.explanation
    assert CheckpointPresence.objects.get(delegate=delegate, checkpoint=entrance).inside


def test_second_scan_of_the_same_badge_answers_already_in(assembly, entrance, token):
    scan(assembly, entrance, token)
    second = scan(assembly, entrance, token)
    assert second.reason == Reason.ALREADY_IN
    assert "since" in second.explanation
    assert Scan.objects.filter(changed_presence=True).count() == 1
    assert Scan.objects.count() == 2


def test_same_idempotency_key_returns_the_first_answer_and_records_nothing(
    assembly, entrance, token
):
    first = scan(assembly, entrance, token, key="key-000001")
    again = scan(assembly, entrance, token, key="key-000001")
    assert again.reason == Reason.OK
    assert again.replayed
    assert again.scan_id == first.scan_id
    assert Scan.objects.count() == 1


def test_out_then_in_again_is_accepted(assembly, entrance, token):
    scan(assembly, entrance, token)
    assert scan(assembly, entrance, token, direction="out").reason == Reason.OK
    assert scan(assembly, entrance, token).reason == Reason.OK
    assert CheckpointPresence.objects.get().moves == 3


def test_in_and_out_at_the_plenary_hall_move_quorum_presence(assembly, hall, token, delegate):
    scan(assembly, hall, token)
    assert DelegatePresence.objects.get(delegate=delegate).in_hall
    scan(assembly, hall, token, direction="out")
    assert not DelegatePresence.objects.get(delegate=delegate).in_hall


def test_entrance_scan_does_not_count_as_hall_presence(assembly, entrance, token, delegate):
    scan(assembly, entrance, token)
    assert not DelegatePresence.objects.filter(delegate=delegate, in_hall=True).exists()


def test_accepted_hall_scan_signals_staff_only_after_commit(
    assembly, hall, token, delegate, django_capture_on_commit_callbacks
):
    from unittest import mock

    from assembly.live import staff_group

    with mock.patch("assembly.live.send_now") as send:
        with django_capture_on_commit_callbacks(execute=True):
            scan(assembly, hall, token)
        with django_capture_on_commit_callbacks(execute=True):
            scan(assembly, hall, token)  # already in: nothing moved, nothing to publish
    assert send.call_count == 1
    kwargs = send.call_args.kwargs
    assert kwargs["event"] == "checkin.changed"
    # Delegates' phones are not told who came in: only desks and the secretariat listen.
    assert kwargs["group"] == staff_group(assembly.pk)
    assert "delegate" not in kwargs["payload"]


def test_a_rolled_back_scan_signals_nothing(
    assembly, hall, token, django_capture_on_commit_callbacks
):
    from unittest import mock

    from django.db import transaction

    with (
        mock.patch("assembly.live.send_now") as send,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        scan(assembly, hall, token)
        transaction.set_rollback(True)
    assert send.call_count == 0


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda t: t[:50], Reason.INVALID),
        (lambda t: "NOT A BADGE", Reason.INVALID),
        (lambda t: t[:-3] + ("AAA" if t[-3:] != "AAA" else "BBB"), Reason.INVALID),
        (lambda t: "\x00\x01<script>" * 30, Reason.INVALID),
    ],
    ids=["truncated", "garbage", "forged-signature", "binary"],
)
def test_bad_tokens_are_refused_and_recorded(assembly, entrance, token, mangle, reason):
    result = scan(assembly, entrance, mangle(token))
    assert result.reason == reason
    assert result.delegate is None
    assert Scan.objects.get().reason == reason
    assert not CheckpointPresence.objects.exists()


def test_badge_of_another_assembly_answers_wrong_assembly(assembly, entrance):
    other = AssemblyFactory()
    stranger = DelegateFactory(assembly=other)
    token = issue_token(assembly_id=other.pk, delegate_id=stranger.pk, version=1)
    assert scan(assembly, entrance, token).reason == Reason.WRONG_ASSEMBLY


def test_signed_token_for_a_missing_delegate_answers_unknown(assembly, entrance):
    token = issue_token(assembly_id=assembly.pk, delegate_id=999_999, version=1)
    assert scan(assembly, entrance, token).reason == Reason.UNKNOWN


def test_old_version_after_reprint_answers_revoked(assembly, entrance, badge, delegate, desk_user):
    old = token_for(badge)
    reprint_badge(assembly=assembly, delegate_id=delegate.pk, by=desk_user, reason="Lost")
    result = scan(assembly, entrance, old)
    assert result.reason == Reason.REVOKED
    assert "version 2" in result.explanation
    badge.refresh_from_db()
    assert scan(assembly, entrance, token_for(badge)).reason == Reason.OK


def test_revoked_badge_answers_revoked(assembly, entrance, token, delegate, secretariat_user):
    revoke_badge(assembly=assembly, delegate_id=delegate.pk, by=secretariat_user, reason="Stolen")
    assert scan(assembly, entrance, token).reason == Reason.REVOKED


def test_unapproved_registration_answers_not_approved(assembly, entrance, token, delegate):
    delegate.state = "cancelled"
    delegate.save()
    assert scan(assembly, entrance, token).reason == Reason.NOT_APPROVED


def test_badge_after_the_assembly_ended_answers_revoked(assembly, entrance, token):
    assembly.start_date -= timedelta(days=10)
    assembly.end_date = assembly.start_date + timedelta(days=2)
    assembly.save()
    result = scan(assembly, entrance, token)
    assert result.reason == Reason.REVOKED
    assert "expired" in result.explanation


def test_offline_scans_keep_their_desk_time(assembly, entrance, token):
    made = timezone.now() - timedelta(minutes=20)
    result = scan(assembly, entrance, token, client_time=made, offline_answer="ok")
    assert result.at == made
    assert result.offline


def test_online_scans_ignore_a_wrong_desk_clock(assembly, entrance, token):
    result = scan(assembly, entrance, token, client_time=timezone.now() - timedelta(days=3))
    assert timezone.now() - result.at < timedelta(minutes=1)


def test_short_idempotency_key_is_refused_and_records_nothing(assembly, entrance, token):
    from assembly.errors import InvalidInput

    with pytest.raises(InvalidInput):
        scan(assembly, entrance, token, key="abc")
    assert not Scan.objects.exists()
