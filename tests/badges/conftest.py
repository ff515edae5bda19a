"""Fixtures for badges: rendered badges, tokens and checkpoints."""

import uuid

import pytest

from badges.services import ensure_badge_rendered, token_for


def new_key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def entrance(assembly):
    return assembly.checkpoints.get(code="entrance")


@pytest.fixture
def hall(assembly):
    return assembly.checkpoints.get(code="plenary")


@pytest.fixture
def badge(delegate):
    return ensure_badge_rendered(delegate=delegate)


@pytest.fixture
def token(badge):
    return token_for(badge)
