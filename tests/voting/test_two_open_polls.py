"""Two polls open at once: the chair is told, and the room keeps the result just published."""

import pytest
from django.urls import reverse

from tests.voting.factories import draft_poll, election, resolution
from voting.live import room_polls
from voting.services import close_poll, open_poll, publish_poll

pytestmark = pytest.mark.django_db


def open_from_console(chair_client, poll):
    url = reverse("voting-action", args=["ga", poll.pk, "open"])
    return chair_client.post(url, follow=True).content.decode()


def test_opening_a_poll_while_another_is_open_names_the_other(
    body, present_voters, chair_user, chair_client
):
    open_poll(poll=draft_poll(election(body, names=["Almaty", "Tashkent"])), by=chair_user)
    html = open_from_console(chair_client, draft_poll(resolution(body)))
    assert "The poll is open. Also open: “Elect the Vice President Cities”<" in html


def test_opening_the_only_open_poll_says_just_that(body, present_voters, chair_client):
    html = open_from_console(chair_client, draft_poll(resolution(body)))
    assert "The poll is open." in html
    assert "Also open" not in html


def test_the_room_shows_a_result_published_after_another_poll_closed(
    body, present_voters, chair_user
):
    first = open_poll(poll=draft_poll(resolution(body, code="r1")), by=chair_user)
    second = open_poll(poll=draft_poll(resolution(body, code="r2")), by=chair_user)
    close_poll(poll=first, by=chair_user)
    close_poll(poll=second, by=chair_user)
    publish_poll(poll=first, by=chair_user)
    assert room_polls(body.assembly) == [first]
