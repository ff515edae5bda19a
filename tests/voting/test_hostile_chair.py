"""What a hurried chair or a curious delegate sends: a clear refusal, and nothing changes."""

import json

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.voting.factories import draft_poll
from voting.errors import WrongPollState
from voting.models import Poll, PollState
from voting.services import open_poll

pytestmark = pytest.mark.django_db


def test_two_rounds_of_one_motion_are_never_open_at_once(motion, present_voters, chair_user):
    open_poll(poll=draft_poll(motion), by=chair_user)
    second = draft_poll(motion)
    with pytest.raises(WrongPollState):
        open_poll(poll=second, by=chair_user)
    second.refresh_from_db()
    assert second.state == PollState.DRAFT


@pytest.mark.parametrize(
    "fields",
    [
        {"min_open_seconds": "100000000000000000000"},
        {"close_after_seconds": "100000000000000000000"},
        {"min_open_seconds": "2147483648"},
        {"close_after_seconds": "1"},
    ],
)
def test_the_console_refuses_poll_times_the_api_refuses(motion, chair_client, fields):
    response = chair_client.post(
        reverse("voting-create-poll", args=["ga"]),
        {"motion": motion.pk, "kind": "secret", **fields},
        follow=True,
    )
    assert response.status_code == 200
    assert not Poll.objects.filter(motion=motion).exists()
    assert "seconds" in response.content.decode()


def patch_me(client, body):
    return client.patch(
        "/api/v1/assemblies/ga/registration/me", json.dumps(body), content_type="application/json"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"full_name": "A" * 5000},
        {"phone": "9" * 500},
        {"passport_number": "P" * 1000},
        {"full_name": "A\x00B"},
        {"date_of_birth": "2999-01-01"},
        {"email": "someone@else.example"},
        {"state": "approved"},
    ],
)
def test_a_delegate_cannot_store_what_the_form_would_refuse(delegate, body):
    before = (delegate.full_name, delegate.phone, delegate.email, delegate.state)
    response = patch_me(client_for(delegate.user), body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    delegate.refresh_from_db()
    assert (delegate.full_name, delegate.phone, delegate.email, delegate.state) == before
