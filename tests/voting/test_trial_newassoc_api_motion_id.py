"""POST polls takes the motion's integer id, as every id in a request, or its code."""

import pytest

from tests.conftest import client_for
from tests.voting.factories import resolution
from voting.models import Poll

pytestmark = pytest.mark.django_db


def _create(client, slug, motion):
    return client.post(
        f"/api/v1/assemblies/{slug}/polls",
        {"motion": motion, "kind": "secret"},
        content_type="application/json",
    )


def test_create_poll_takes_the_motions_integer_id(assembly, motion, chair_user):
    response = _create(client_for(chair_user), assembly.slug, motion.pk)
    assert response.status_code == 201, response.content
    assert Poll.objects.get(pk=response.json()["id"]).motion == motion


def test_create_poll_still_takes_the_motions_code(assembly, motion, chair_user):
    response = _create(client_for(chair_user), assembly.slug, motion.code)
    assert response.status_code == 201, response.content


def test_create_poll_refuses_another_assemblys_motion_id(
    assembly, other_assembly, chair_user, body
):
    from voting.services import create_body

    foreign = resolution(
        create_body(assembly=other_assembly, code="ga", name="GA", kind="general_assembly")
    )
    response = _create(client_for(chair_user), assembly.slug, foreign.pk)
    assert response.status_code == 404


@pytest.mark.parametrize("motion", [True, 1.0])
def test_create_poll_refuses_a_motion_that_is_not_an_integer_or_code(assembly, motion, chair_user):
    response = _create(client_for(chair_user), assembly.slug, motion)
    assert response.status_code == 422
