"""Two polls open at once: the chair is told, and the room keeps the result just published."""

import pytest
from django.urls import reverse

from tests.voting.factories import draft_poll, election, resolution
from voting.services import open_poll

pytestmark = pytest.mark.django_db


def open_from_console(chair_client, poll):
    url = reverse("voting-action", args=["ga", poll.pk, "open"])
    return chair_client.post(url, follow=True).content.decode()


def test_opening_a_poll_while_another_is_open_names_the_other(
    body, present_voters, chair_user, chair_client
):
    open_poll(poll=draft_poll(election(body, names=["Almaty", "Tashkent"])), by=chair_user)
    html = open_from_console(chair_client, draft_poll(resolution(body)))
    assert "The poll is open. Also open: Elect the Vice President Cities." in html


def test_opening_the_only_open_poll_says_just_that(body, present_voters, chair_client):
    html = open_from_console(chair_client, draft_poll(resolution(body)))
    assert "The poll is open." in html
    assert "Also open" not in html

