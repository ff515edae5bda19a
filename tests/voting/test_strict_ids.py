"""Ids and numbers in API requests are JSON integers: true, "12", 12.0 or " 12 " is refused with
422 before anything is read; an accreditation already held answers 200, a new one 201."""

import json

import pytest

from registration.models import Accreditation
from voting.models import Proxy

pytestmark = pytest.mark.django_db

JSON = "application/json"


def post(client, path, body):
    return client.post(f"/api/v1/assemblies/ga/{path}", json.dumps(body), content_type=JSON)


def loose_forms(pk):
    """What lax parsing read as the id `pk` (and true as 1)."""
    return [True, str(pk), float(pk), f" {pk} "]


def test_an_accreditation_is_refused_for_an_id_that_is_not_an_integer(
    secretariat_client, assembly, delegate
):
    for loose in loose_forms(delegate.pk):
        response = post(secretariat_client, "accreditations", {"delegate_id": loose})
        assert (response.status_code, response.json()["code"]) == (422, "invalid_input"), loose
    assert not Accreditation.objects.exists()


def test_an_unknown_kind_of_accreditation_is_invalid_input(secretariat_client, assembly, delegate):
    response = post(secretariat_client, "accreditations", {"delegate_id": delegate.pk, "kind": "x"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    assert not Accreditation.objects.exists()


def test_an_accreditation_already_held_answers_200_a_new_one_201(
    secretariat_client, assembly, delegate
):
    first = post(secretariat_client, "accreditations", {"delegate_id": delegate.pk})
    again = post(secretariat_client, "accreditations", {"delegate_id": delegate.pk})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    changed = post(
        secretariat_client, "accreditations", {"delegate_id": delegate.pk, "kind": "alternate"}
    )
    assert (changed.status_code, changed.json()["kind"]) == (201, "alternate")
    assert Accreditation.objects.filter(ended_at__isnull=True).count() == 1


def test_a_proxy_is_refused_for_ids_that_are_not_integers(
    assembly, body, voters, secretariat_client
):
    assembly.proxies_allowed = True
    assembly.save()
    member, holder = voters[1].member, voters[0]
    for loose in loose_forms(member.pk):
        response = post(secretariat_client, "proxies", {"member": loose, "holder": holder.pk})
        assert response.status_code == 422, loose
    for loose in loose_forms(holder.pk):
        response = post(secretariat_client, "proxies", {"member": member.pk, "holder": loose})
        assert response.status_code == 422, loose
    assert not Proxy.objects.exists()
    ok = post(secretariat_client, "proxies", {"member": member.pk, "holder": holder.pk})
    assert ok.status_code == 201


def test_a_ballot_for_members_given_as_anything_but_integers_is_refused(
    open_secret_poll, present_voters
):
    from tests.conftest import client_for

    voter = client_for(present_voters[0].user)
    path = f"polls/{open_secret_poll.pk}/ballots"
    for loose in loose_forms(present_voters[0].member_id):
        response = post(voter, path, {"choices": ["yes"], "members": [loose]})
        assert (response.status_code, response.json()["code"]) == (422, "invalid_input"), loose
    assert open_secret_poll.casts.count() == 0
    counted = post(voter, path, {"choices": ["yes"], "members": [present_voters[0].member_id]})
    assert counted.status_code == 201


def test_poll_times_are_whole_numbers_not_strings(motion, chair_client):
    for loose in (True, "60", " 60 "):
        response = post(
            chair_client,
            "polls",
            {"motion": motion.code, "kind": "secret", "min_open_seconds": loose},
        )
        assert response.status_code == 422, loose
    created = post(
        chair_client, "polls", {"motion": motion.code, "kind": "secret", "min_open_seconds": 60}
    )
    assert created.status_code == 201


def test_a_huge_id_is_not_found_rather_than_an_error(assembly, body, voters, secretariat_client):
    assembly.proxies_allowed = True
    assembly.save()
    response = post(secretariat_client, "proxies", {"member": 2**80, "holder": voters[0].pk})
    assert response.status_code == 404
