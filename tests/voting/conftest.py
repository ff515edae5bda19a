"""Fixtures of the voting tests: an electorate, bodies, motions and polls."""

import pytest
from django.utils import timezone

from tests.voting.factories import draft_poll, electorate_of, ga_body, resolution
from voting.presence import record_hall_entry
from voting.services import open_poll


@pytest.fixture
def voters(assembly):
    """Five voting members, each with a voting delegate."""
    return electorate_of(assembly, 5)


@pytest.fixture
def body(assembly, voters):
    return ga_body(assembly)


@pytest.fixture
def present_voters(body, voters):
    for delegate in voters:
        record_hall_entry(delegate=delegate, at=timezone.now())
    return voters


@pytest.fixture
def motion(body):
    return resolution(body)


@pytest.fixture
def open_secret_poll(motion, present_voters, chair_user):
    return open_poll(poll=draft_poll(motion), by=chair_user)


@pytest.fixture
def sent(monkeypatch):
    """Messages that reach the channel layer (group, event, payload), in order."""
    from assembly import live

    messages = []
    monkeypatch.setattr(live, "send_now", lambda **message: messages.append(message))
    return messages
