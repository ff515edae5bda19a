"""Found by a tester on trial 2: what a chair in a hurry or a scripted client sends."""

import json

import pytest
from django.urls import reverse

from assembly.errors import InvalidInput
from tests.voting.factories import draft_poll
from voting.models import Poll

pytestmark = pytest.mark.django_db


def test_a_countdown_shorter_than_the_minimum_open_time_is_refused(motion):
    # The server's closer would close it at the countdown, before the minimum the chair set.
    with pytest.raises(InvalidInput) as exc:
        draft_poll(motion, min_open_seconds=600, close_after_seconds=30)
    assert exc.value.code == "invalid_input"
    assert not Poll.objects.filter(motion=motion).exists()


def test_a_countdown_as_long_as_the_minimum_open_time_is_accepted(motion):
    poll = draft_poll(motion, min_open_seconds=60, close_after_seconds=60)
    assert (poll.min_open_seconds, poll.close_after_seconds) == (60, 60)


def test_the_api_refuses_a_countdown_shorter_than_the_minimum_and_writes_nothing(
    motion, chair_client
):
    response = chair_client.post(
        "/api/v1/assemblies/ga/polls",
        json.dumps(
            {
                "motion": motion.code,
                "kind": "secret",
                "min_open_seconds": 120,
                "close_after_seconds": 60,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not Poll.objects.filter(motion=motion).exists()


def test_the_console_refuses_a_countdown_shorter_than_the_minimum(motion, chair_client):
    response = chair_client.post(
        reverse("voting-create-poll", args=["ga"]),
        {
            "motion": motion.pk,
            "kind": "secret",
            "min_open_seconds": "300",
            "close_after_seconds": "60",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not Poll.objects.filter(motion=motion).exists()
    assert "minimum open time" in response.content.decode()
