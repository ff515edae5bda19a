"""The desk roster's ETag: a 304 costs a few queries, and every change a desk shows moves it."""

import gzip
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from badges.services import record_scan, reprint_badge, revoke_badge, set_attention, token_for
from registration.models import RegistrationState
from registration.services import change_state
from tests.factories import CheckpointFactory, DelegateFactory


def roster_url():
    return reverse("api:badge_roster", kwargs={"slug": "ga"})


def queries_of_a_304(client, bearer) -> int:
    etag = client.get(roster_url(), **bearer)["ETag"]
    with CaptureQueriesContext(connection) as run:
        response = client.get(roster_url(), HTTP_IF_NONE_MATCH=etag, **bearer)
    assert response.status_code == 304
    return len(run.captured_queries)


def test_an_unchanged_roster_answers_304_in_the_same_few_queries_for_any_size(
    client, bearer, assembly, badge
):
    few = queries_of_a_304(client, bearer)
    for _ in range(30):
        DelegateFactory(assembly=assembly)
    # The bearer token and the desk's role, then the tag: one aggregate and the checkpoints.
    assert queries_of_a_304(client, bearer) == few <= 6


def test_the_304_has_no_body_and_keeps_the_tag(client, bearer, badge):
    etag = client.get(roster_url(), **bearer)["ETag"]
    response = client.get(roster_url(), HTTP_IF_NONE_MATCH=etag, **bearer)
    assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag)


def reprinted(assembly, delegate, desk_user):
    reprint_badge(assembly=assembly, delegate_id=delegate.pk, by=desk_user, reason="Lost")


def revoked(assembly, delegate, desk_user):
    revoke_badge(assembly=assembly, delegate_id=delegate.pk, by=desk_user, reason="Stolen")


def cancelled(assembly, delegate, desk_user):
    change_state(delegate=delegate, to_state=RegistrationState.CANCELLED, by=desk_user)


def flagged(assembly, delegate, desk_user):
    set_attention(assembly=assembly, delegate_id=delegate.pk, text="Head of delegation")


def renamed(assembly, delegate, desk_user):
    delegate.full_name = "Kim Seo-yeon (Dr)"
    delegate.save()  # as the admin's change form saves it


def member_renamed(assembly, delegate, desk_user):
    delegate.member.name = "Seoul City"
    delegate.member.save()


def checked_in(assembly, delegate, desk_user):
    record_scan(
        assembly=assembly,
        checkpoint=assembly.checkpoints.get(code="entrance"),
        token=token_for(delegate.badge),
        direction="in",
        idempotency_key=uuid.uuid4().hex,
        desk="Desk 1",
        by=desk_user,
    )


def checkpoint_renamed(assembly, delegate, desk_user):
    checkpoint = assembly.checkpoints.get(code="entrance")
    checkpoint.name = "Main entrance"
    checkpoint.save()


def checkpoint_added(assembly, delegate, desk_user):
    CheckpointFactory(assembly=assembly, code="lunch", name="Lunch hall", kind="other")


@pytest.mark.parametrize(
    "change",
    [
        reprinted,
        revoked,
        cancelled,
        flagged,
        renamed,
        member_renamed,
        checked_in,
        checkpoint_renamed,
        checkpoint_added,
    ],
)
def test_every_change_a_desk_shows_moves_the_etag(
    client, bearer, assembly, delegate, badge, desk_user, change
):
    delegate.organization_name = ""
    delegate.save()
    before = client.get(roster_url(), **bearer)
    change(assembly, delegate, desk_user)
    after = client.get(roster_url(), HTTP_IF_NONE_MATCH=before["ETag"], **bearer)
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.json() != before.json()


def test_an_approval_moves_the_etag(client, bearer, assembly, badge, secretariat_user):
    waiting = DelegateFactory(
        assembly=assembly, full_name="Léa Martin", state=RegistrationState.SUBMITTED
    )
    etag = client.get(roster_url(), **bearer)["ETag"]
    change_state(delegate=waiting, to_state=RegistrationState.APPROVED, by=secretariat_user)
    after = client.get(roster_url(), HTTP_IF_NONE_MATCH=etag, **bearer)
    assert after.status_code == 200
    [lea] = [row for row in after.json()["delegates"] if row["id"] == waiting.pk]
    assert lea["state"] == RegistrationState.APPROVED


def test_a_revocation_and_a_lifted_one_together_still_move_the_etag(
    client, bearer, assembly, delegate, badge, desk_user, secretariat_user
):
    other = DelegateFactory(assembly=assembly, full_name="Ana Pérez")
    revoke_badge(assembly=assembly, delegate_id=other.pk, by=desk_user, reason="Stolen")
    etag = client.get(roster_url(), **bearer)["ETag"]
    # One revoked badge before and after: the reprint's new version still shows.
    reprint_badge(assembly=assembly, delegate_id=other.pk, by=secretariat_user, reason="Found")
    revoke_badge(assembly=assembly, delegate_id=delegate.pk, by=desk_user, reason="Lost")
    after = client.get(roster_url(), HTTP_IF_NONE_MATCH=etag, **bearer)
    assert after.status_code == 200
    revoked = {row["name"]: row["revoked"] for row in after.json()["delegates"]}
    assert revoked == {"Ana Pérez": False, "Kim Seo-yeon": True}


def test_a_desk_accepting_gzip_gets_the_same_roster_compressed(client, bearer, assembly, badge):
    for _ in range(20):
        DelegateFactory(assembly=assembly)
    plain = client.get(roster_url(), **bearer)
    packed = client.get(roster_url(), HTTP_ACCEPT_ENCODING="gzip, deflate, br", **bearer)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 3
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    again = client.get(roster_url(), HTTP_IF_NONE_MATCH=packed["ETag"], **bearer)
    assert again.status_code == 304


def test_a_get_that_names_a_content_type_still_gets_the_roster(client, bearer, assembly, badge):
    # Some clients (and Python's own test server) send "text/plain" with a GET: the roster
    # reads no body, so its type is no reason to refuse it, gzipped view or not.
    response = client.get(roster_url(), CONTENT_TYPE="text/plain", **bearer)
    assert response.status_code == 200
