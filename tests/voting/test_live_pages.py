"""Live room pages: the JSON fallback, the projector and its links, the inserted ballot card."""

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.voting.factories import draft_poll
from voting import live
from voting.models import AuditEntry
from voting.services import cast_ballots, close_poll

pytestmark = pytest.mark.django_db


def test_fallback_endpoint_answers_the_sockets_snapshot_shape(
    assembly, open_secret_poll, present_voters
):
    response = client_for(present_voters[0].user).get(f"/a/{assembly.slug}/live/room.json")
    assert response.status_code == 200
    message = response.json()
    assert message["type"] == "snapshot"
    assert isinstance(message["seq"], int)
    assert message["payload"]["polls"][0]["id"] == open_secret_poll.pk
    assert message["payload"]["quorum"]["bodies"][0]["present"] == 5
    assert response["Cache-Control"] == "no-store"


def test_fallback_endpoint_refuses_strangers(assembly, open_secret_poll):
    assert Client().get(f"/a/{assembly.slug}/live/room.json").status_code == 403


def test_fallback_shows_a_closed_polls_counts_to_the_chair_only(
    assembly, open_secret_poll, present_voters, chair_user
):
    cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])
    close_poll(poll=open_secret_poll, by=chair_user)
    url = f"/a/{assembly.slug}/live/room.json"
    chair = client_for(chair_user)
    assert chair.get(url).json()["payload"]["polls"][0]["result"]["counts"]["yes"] == 1
    assert chair.get(url + "?display=1").json()["payload"]["polls"][0]["result"] is None
    phone = client_for(present_voters[1].user)
    assert phone.get(url).json()["payload"]["polls"][0]["result"] is None


def test_projector_opens_for_the_chair_and_sends_strangers_to_log_in(assembly, chair_user):
    page = client_for(chair_user).get(f"/a/{assembly.slug}/projector/")
    assert page.status_code == 200
    assert b"room-snapshot" in page.content
    assert b"display=1" in page.content
    anonymous = Client().get(f"/a/{assembly.slug}/projector/")
    assert anonymous.status_code == 302


def test_projector_refuses_a_delegate_session(assembly, delegate):
    assert client_for(delegate.user).get(f"/a/{assembly.slug}/projector/").status_code == 403


def test_a_new_projector_link_works_unattended_and_revokes_the_old_one(assembly, chair_user):
    chair = client_for(chair_user)
    first = chair.post(f"/a/{assembly.slug}/projector/link/").context["link"]
    second = chair.post(f"/a/{assembly.slug}/projector/link/").context["link"]
    screen = Client()
    assert screen.get(first).status_code == 403
    page = screen.get(second)
    assert page.status_code == 200
    token = second.split("projector=")[1]
    assert f"projector={token}".encode() in page.content
    assert screen.get(f"/a/{assembly.slug}/live/room.json?projector={token}").status_code == 200
    assert AuditEntry.objects.filter(event=live.PROJECTOR_ROTATED).count() == 2


def test_an_expired_projector_link_is_refused(assembly, settings):
    token = live.projector_token(assembly)
    settings.VOTING_PROJECTOR_LINK_HOURS = -1
    assert not live.projector_link_valid(assembly=assembly, token=token)


def test_a_projector_link_is_for_its_own_assembly_only(assembly, other_assembly):
    token = live.projector_token(other_assembly)
    assert Client().get(f"/a/{assembly.slug}/projector/?projector={token}").status_code == 403


def test_only_chair_and_secretariat_create_projector_links(assembly, delegate):
    response = client_for(delegate.user).post(f"/a/{assembly.slug}/projector/link/")
    assert response.status_code == 403


def test_ballot_card_is_the_open_polls_ballot_for_a_voter(
    assembly, open_secret_poll, present_voters
):
    phone = client_for(present_voters[0].user)
    card = phone.get(f"/a/{assembly.slug}/vote/{open_secret_poll.pk}/card/")
    assert card.status_code == 200
    assert f'data-poll-id="{open_secret_poll.pk}"'.encode() in card.content
    assert b"<html" not in card.content


def test_ballot_card_is_empty_for_a_draft_poll(assembly, motion, present_voters):
    poll = draft_poll(motion)
    phone = client_for(present_voters[0].user)
    assert phone.get(f"/a/{assembly.slug}/vote/{poll.pk}/card/").status_code == 204


def test_console_and_ballot_pages_carry_the_live_wiring(
    assembly, open_secret_poll, present_voters, chair_user
):
    console = client_for(chair_user).get(f"/a/{assembly.slug}/polls/console/")
    assert b'id="live-config"' in console.content
    assert f'data-turnout-for="{open_secret_poll.pk}"'.encode() in console.content
    ballot = client_for(present_voters[0].user).get(f"/a/{assembly.slug}/vote/")
    assert b'id="live-config"' in ballot.content
    assert b'id="live-status"' in ballot.content


def mark_as_demo(assembly) -> None:
    """The simulation runs on the demo assembly only."""
    assembly.is_demo = True
    assembly.save(update_fields=["is_demo"])


def test_simulate_remote_needs_debug_and_a_valid_token(assembly, motion, monkeypatch, settings):
    from voting import simulation

    mark_as_demo(assembly)

    started = []
    monkeypatch.setattr(simulation, "start_in_server", started.append)
    draft_poll(motion)
    url = f"/a/{assembly.slug}/polls/simulate/remote/"
    token = simulation.remote_token(assembly)
    settings.DEBUG = False
    assert Client().post(url, {"token": token}).status_code == 404
    settings.DEBUG = True
    assert Client().post(url, {"token": "forged"}).status_code == 403
    response = Client().post(url, {"token": token, "seconds": "5"})
    assert response.status_code == 200
    assert b"Adopt the agenda" in response.content
    assert [s.poll.motion.code for s in started] == ["res"]


def test_simulate_refuses_when_no_draft_poll_is_left(assembly, motion, settings):
    from voting import simulation

    mark_as_demo(assembly)

    settings.DEBUG = True
    response = Client().post(
        f"/a/{assembly.slug}/polls/simulate/remote/", {"token": simulation.remote_token(assembly)}
    )
    assert response.status_code == 400
