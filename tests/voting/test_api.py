"""The voting API through its real URLs: roles on every endpoint, codes, receipts, isolation."""

import pytest

from tests.conftest import client_for
from tests.factories import DelegateFactory, MemberFactory
from tests.voting.factories import accredit, draft_poll
from voting.models import PollState
from voting.services import cast_ballots, close_poll, open_poll

pytestmark = pytest.mark.django_db

JSON = "application/json"


PATHS = {
    "voting_read_quorum": "quorum",
    "voting_create_poll": "polls",
    "voting_read_poll": "polls/{poll_id}",
    "voting_open_poll": "polls/{poll_id}/open",
    "voting_close_poll": "polls/{poll_id}/close",
    "voting_publish_poll": "polls/{poll_id}/publish",
    "voting_cast_ballot": "polls/{poll_id}/ballots",
    "voting_read_results": "polls/{poll_id}/results",
    "voting_list_receipts": "polls/{poll_id}/receipts",
    "voting_audit_export": "audit",
    "voting_request_proxy": "proxies",
    "voting_list_proxies": "proxies",
    "voting_approve_proxy": "proxies/{proxy_id}/approve",
    "voting_enter_hand_counts": "polls/{poll_id}/counts",
}


def url(name, slug="ga", **kwargs):
    """The endpoint's path, checked against the API's OpenAPI operation ids."""
    return f"/api/v1/assemblies/{slug}/" + PATHS[name].format(**kwargs)


def test_every_path_here_is_the_operation_it_names(client):
    from assembly.api import api

    schema = api.get_openapi_schema()
    operations = {
        op["operationId"]: path
        for path, methods in schema["paths"].items()
        for op in methods.values()
    }
    for name, path in PATHS.items():
        assert operations[name] == "/api/v1/assemblies/{slug}/" + path


def test_quorum_is_readable_by_any_role(present_voters, desk_client):
    response = desk_client.get(url("voting_read_quorum"))
    assert response.status_code == 200
    [ga] = response.json()
    assert (ga["present"], ga["eligible"], ga["status"]) == (5, 5, "reached")


def test_delegate_cannot_open_a_poll(motion, present_voters):
    poll = draft_poll(motion)
    response = client_for(present_voters[0].user).post(
        url("voting_open_poll", poll_id=poll.pk), {}, content_type=JSON
    )
    assert response.status_code == 403
    poll.refresh_from_db()
    assert poll.state == PollState.DRAFT


def test_chair_creates_opens_closes_and_publishes(motion, present_voters, chair_client):
    created = chair_client.post(
        url("voting_create_poll"), {"motion": motion.code, "kind": "secret"}, content_type=JSON
    )
    assert created.status_code == 201
    poll_id = created.json()["id"]
    for action in ("voting_open_poll", "voting_close_poll", "voting_publish_poll"):
        response = chair_client.post(url(action, poll_id=poll_id), {}, content_type=JSON)
        assert response.status_code == 200, response.json()
    assert response.json()["state"] == "published"
    assert response.json()["result"]["outcome"] == "no_votes"


def test_open_without_quorum_answers_no_quorum(motion, voters, chair_client):
    poll = draft_poll(motion)
    response = chair_client.post(url("voting_open_poll", poll_id=poll.pk), {}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["code"] == "no_quorum"
    response = chair_client.post(
        url("voting_open_poll", poll_id=poll.pk),
        {"override_reason": "The chair notes 40 members on the line"},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["override_reason"] == "The chair notes 40 members on the line"


def test_cast_returns_receipts_and_second_cast_says_already_voted(open_secret_poll, present_voters):
    client = client_for(present_voters[0].user)
    path = url("voting_cast_ballot", poll_id=open_secret_poll.pk)
    first = client.post(path, {"choices": ["yes"]}, content_type=JSON)
    assert first.status_code == 201
    [receipt] = first.json()
    assert receipt["member"] == present_voters[0].member.name
    assert len(receipt["code"]) == 17
    second = client.post(path, {"choices": ["no"]}, content_type=JSON)
    assert second.status_code == 409
    assert second.json()["code"] == "already_voted"


def test_desk_staff_cannot_vote(assembly, open_secret_poll, desk_user):
    DelegateFactory(assembly=assembly, user=desk_user, email=desk_user.email)
    response = client_for(desk_user).post(
        url("voting_cast_ballot", poll_id=open_secret_poll.pk),
        {"choices": ["yes"]},
        content_type=JSON,
    )
    assert response.status_code == 403


def test_invalid_choice_answers_its_code(open_secret_poll, present_voters):
    response = client_for(present_voters[0].user).post(
        url("voting_cast_ballot", poll_id=open_secret_poll.pk),
        {"choices": ["maybe"]},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_choice"


def test_delegate_of_a_member_with_dues_unpaid_is_told_why_it_cannot_vote(
    assembly, open_secret_poll
):
    delegate = accredit(assembly, MemberFactory(name="Wellington", dues_paid=False))
    response = client_for(delegate.user).post(
        url("voting_cast_ballot", poll_id=open_secret_poll.pk),
        {"choices": ["yes"]},
        content_type=JSON,
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "not_represented",
        "detail": "Wellington is not a voting member of the General Assembly: "
        "its dues are not paid.",
    }


def test_delegate_does_not_see_secret_results_before_publication(
    open_secret_poll, present_voters, chair_user, chair_client
):
    cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])
    close_poll(poll=open_secret_poll, by=chair_user)
    delegate = client_for(present_voters[1].user)
    path = url("voting_read_results", poll_id=open_secret_poll.pk)
    assert delegate.get(path).status_code == 403
    listed = delegate.get(url("voting_read_poll", poll_id=open_secret_poll.pk)).json()
    assert listed["result"] is None
    assert chair_client.get(path).json()["counts"]["yes"] == 1
    chair_client.post(url("voting_publish_poll", poll_id=open_secret_poll.pk), content_type=JSON)
    result = delegate.get(path).json()
    assert result["sentence"] == "Adopted: 1 yes, 0 no, 0 abstentions (more yes than no needed)"


def test_receipts_are_public_only_after_publication(
    client, open_secret_poll, present_voters, chair_user
):
    cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["no"])
    path = url("voting_list_receipts", poll_id=open_secret_poll.pk)
    assert client.get(path).status_code == 403
    close_poll(poll=open_secret_poll, by=chair_user)
    from voting.services import publish_poll

    publish_poll(poll=open_secret_poll, by=chair_user)
    [row] = client.get(path).json()
    assert row["choices"] == ["no"]
    assert len(row["receipt_hash"]) == 64


def test_another_assemblys_poll_is_not_found(other_assembly, open_secret_poll, chair_user):
    from assembly.models import StaffRole

    StaffRole.objects.create(assembly=other_assembly, user=chair_user, role="chair")
    response = client_for(chair_user).get(
        url("voting_read_poll", slug="other", poll_id=open_secret_poll.pk)
    )
    assert response.status_code == 404


def test_ballot_for_another_assemblys_poll_is_refused(
    other_assembly, open_secret_poll, present_voters
):
    voter = present_voters[0]
    accredit(other_assembly, MemberFactory(), email=voter.email, user=voter.user)
    client = client_for(voter.user)
    through_other = client.post(
        url("voting_cast_ballot", slug="other", poll_id=open_secret_poll.pk),
        {"choices": ["yes"]},
        content_type=JSON,
    )
    assert through_other.status_code == 404
    assert through_other.json()["code"] == "not_found"
    unknown = client.post(
        url("voting_cast_ballot", slug="nowhere", poll_id=open_secret_poll.pk),
        {"choices": ["yes"]},
        content_type=JSON,
    )
    assert unknown.status_code == 404
    assert open_secret_poll.casts.count() == 0


def test_secretariat_records_and_approves_a_proxy(assembly, present_voters, secretariat_client):
    assembly.proxies_allowed = True
    assembly.save()
    member = MemberFactory()
    created = secretariat_client.post(
        url("voting_request_proxy"),
        {"member": member.pk, "holder": present_voters[0].pk},
        content_type=JSON,
    )
    assert created.status_code == 201
    approved = secretariat_client.post(
        url("voting_approve_proxy", proxy_id=created.json()["id"]), content_type=JSON
    )
    assert approved.json()["state"] == "approved"
    listed = secretariat_client.get(url("voting_list_proxies")).json()
    assert [p["member_name"] for p in listed] == [member.name]


def test_delegate_cannot_manage_proxies(assembly, present_voters):
    response = client_for(present_voters[0].user).get(url("voting_list_proxies"))
    assert response.status_code == 403


def test_audit_export_verifies(open_secret_poll, present_voters, chair_user, chair_client):
    from voting.verify import verify_export

    cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])
    close_poll(poll=open_secret_poll, by=chair_user)
    problems, checked = verify_export(chair_client.get(url("voting_audit_export")).json())
    assert problems == []
    assert len(checked) == 1


def test_alternate_votes_through_the_api_when_the_delegate_is_absent(assembly, motion, chair_user):
    from registration.models import AccreditationKind

    member = MemberFactory()
    accredit(assembly, member)
    alternate = accredit(assembly, member, kind=AccreditationKind.ALTERNATE)
    from django.utils import timezone

    from voting.presence import record_hall_entry

    record_hall_entry(delegate=alternate, at=timezone.now())
    poll = open_poll(poll=draft_poll(motion), by=chair_user, override_reason="test")
    response = client_for(alternate.user).post(
        url("voting_cast_ballot", poll_id=poll.pk), {"choices": ["yes"]}, content_type=JSON
    )
    assert response.status_code == 201
    assert response.json()[0]["member"] == member.name


@pytest.mark.parametrize(
    "payload",
    [
        {"counts": {"yes": True}, "ballots": 1},
        {"counts": {"yes": "3"}, "ballots": 3},
        {"counts": {"yes": 3}, "ballots": "3"},
        {"counts": {"yes": 2.5}, "ballots": 3},
    ],
)
def test_hand_counts_that_are_not_whole_numbers_are_refused(
    motion, present_voters, chair_user, secretariat_client, payload
):
    from voting.models import PollKind

    poll = close_poll(
        poll=open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user), by=chair_user
    )
    path = url("voting_enter_hand_counts", poll_id=poll.pk)
    response = secretariat_client.post(path, payload, content_type=JSON)
    assert response.status_code == 422
    poll.refresh_from_db()
    assert poll.hand_counts == {}
