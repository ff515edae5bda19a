"""Motions sit under items of the programme; the session page shows what is voted there."""

import pytest
from django.urls import reverse

from assembly.errors import InvalidInput
from sessions.models import AgendaItem
from tests.agenda.factories import SessionFactory
from tests.factories import AssemblyFactory
from tests.voting.factories import resolution
from voting.services import link_motion_to_agenda_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def ga_session(assembly):
    return SessionFactory(assembly=assembly, code="ga-session", title="General Assembly Session")


def test_session_page_lists_the_motions_under_each_agenda_item(client, body, ga_session):
    item = AgendaItem.objects.create(session=ga_session, order=1, number="3", title="Presidency")
    motion = resolution(body, code="president")
    link_motion_to_agenda_item(motion=motion, agenda_item=item)
    motion.refresh_from_db()
    assert motion.agenda_item_number == "3"
    page = client.get(reverse("agenda:session", args=[body.assembly.slug, "ga-session"]))
    assert "Vote: Adopt the agenda" in page.content.decode()


def test_a_motion_cannot_sit_under_another_assemblys_agenda_item(body):
    elsewhere = SessionFactory(assembly=AssemblyFactory(slug="elsewhere"), code="x")
    item = AgendaItem.objects.create(session=elsewhere, order=1, number="1", title="Other")
    motion = resolution(body)
    with pytest.raises(InvalidInput):
        link_motion_to_agenda_item(motion=motion, agenda_item=item)
    motion.refresh_from_db()
    assert motion.agenda_item is None
