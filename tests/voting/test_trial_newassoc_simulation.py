"""The demo's vote simulation runs on the demo assembly only, never on a real one."""

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client

from assembly.models import Assembly
from registration.models import Accreditation, Delegate
from tests.conftest import client_for
from tests.factories import AssemblyFactory
from tests.voting.factories import draft_poll
from voting.models import AuditEntry, DelegatePresence, Poll, PollState
from voting.simulation import remote_token

pytestmark = pytest.mark.django_db


def _untouched(assembly: Assembly, poll: Poll, delegates: int) -> None:
    poll.refresh_from_db()
    assert poll.state == PollState.DRAFT
    assert Delegate.objects.filter(assembly=assembly).count() == delegates
    assert not DelegatePresence.objects.filter(assembly=assembly, in_hall=True).exists()
    assert not AuditEntry.objects.filter(assembly=assembly, event="poll.opened").exists()


def test_console_of_a_real_assembly_offers_no_simulation(assembly, motion, chair_user, settings):
    settings.DEBUG = True
    page = client_for(chair_user).get(f"/a/{assembly.slug}/polls/console/")
    assert b"Simulate a vote (demo)" not in page.content
    Assembly.objects.filter(pk=assembly.pk).update(is_demo=True)
    page = client_for(chair_user).get(f"/a/{assembly.slug}/polls/console/")
    assert b"Simulate a vote (demo)" in page.content


def test_simulate_button_is_refused_on_a_real_assembly(assembly, motion, chair_user, settings):
    settings.DEBUG = True
    poll = draft_poll(motion)
    delegates = Delegate.objects.filter(assembly=assembly).count()
    response = client_for(chair_user).post(f"/a/{assembly.slug}/polls/simulate/", {"seconds": 0})
    assert response.status_code == 403
    assert b"only on the demo assembly" in response.content
    _untouched(assembly, poll, delegates)


def test_simulate_remote_is_refused_on_a_real_assembly(assembly, motion, settings):
    settings.DEBUG = True
    poll = draft_poll(motion)
    delegates = Delegate.objects.filter(assembly=assembly).count()
    response = Client().post(
        f"/a/{assembly.slug}/polls/simulate/remote/", {"token": remote_token(assembly)}
    )
    assert response.status_code == 403
    assert b"only on the demo assembly" in response.content
    _untouched(assembly, poll, delegates)


def test_simulate_voting_command_refuses_a_real_assembly(assembly, motion):
    poll = draft_poll(motion)
    delegates = Delegate.objects.filter(assembly=assembly).count()
    accreditations = Accreditation.objects.count()
    with pytest.raises(CommandError, match="only on the demo assembly"):
        call_command("simulate_voting", assembly=assembly.slug, seconds=0)
    _untouched(assembly, poll, delegates)
    assert Accreditation.objects.count() == accreditations


def test_simulate_voting_command_runs_on_a_demo_assembly(assembly, motion, voters, chair_user):
    Assembly.objects.filter(pk=assembly.pk).update(is_demo=True)
    poll = draft_poll(motion)
    call_command("simulate_voting", assembly=assembly.slug, seconds=0, turnout=1.0, seed=1)
    poll.refresh_from_db()
    assert poll.state == PollState.PUBLISHED


def test_only_the_demo_loader_marks_an_assembly_as_demo(loaded_demo):
    assert loaded_demo.is_demo
    assert not AssemblyFactory().is_demo


def test_migration_marks_an_existing_demo_database():
    migration = importlib.import_module("assembly.migrations.0003_assembly_is_demo")
    demo = AssemblyFactory(slug="wego-ga-2023")
    real = AssemblyFactory(slug="rowing-2027")
    migration.mark_demo(apps, None)
    demo.refresh_from_db()
    real.refresh_from_db()
    assert demo.is_demo
    assert not real.is_demo
