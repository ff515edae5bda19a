"""A confirmed import is written in parts, each its own short transaction with its emails,
its progress kept and shown; one that stops says which lines are in, and confirming it again
finishes the rest without writing a row twice (found by a tester: a 20,000-row confirm held
SQLite's write lock for a minute and every registration meanwhile failed)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from mailer.models import Message

from assembly.mail import deliver_queued
from registration import imports
from registration.imports import (
    import_registrations,
    run_import,
    sign_import,
    start_import,
    stop_imports,
    unsign_import,
)
from registration.models import Delegate, ImportRun, ImportStatus
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


def people(n: int, first: int = 0) -> str:
    return "full_name,email,role\n" + "".join(
        f"Person {i},person{i}@x.example,observer\n" for i in range(first, first + n)
    )


IMPORTED_2_OF_6 = "2 rows are imported (lines 2\u20133); lines 4\u20137 are not."


@pytest.fixture
def parts_of_two(monkeypatch):
    monkeypatch.setattr(imports, "IMPORT_PART", 2)


@pytest.fixture
def queued(settings):
    settings.EMAIL_BACKEND = "assembly.mail.QueueBackend"
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def confirm(client, assembly, text: str, payload: str | None = None):
    url = reverse("registration:import", args=[assembly.slug])
    return client.post(url, {"confirm": "1", "payload": payload or sign_import(text)})


def someone_registers_during_part(monkeypatch, part: int, email: str) -> None:
    """A public registration of `email` commits while the import writes part `part`."""
    write_part = imports.write_part
    parts = []

    def write_part_while_someone_registers(**kwargs):
        parts.append(1)
        if len(parts) == part:
            DelegateFactory(assembly=kwargs["run"].assembly, email=email, member=None)
        return write_part(**kwargs)

    monkeypatch.setattr(imports, "write_part", write_part_while_someone_registers)


def test_each_part_is_written_with_its_emails_and_counted(assembly, parts_of_two, queued):
    created = import_registrations(assembly=assembly, text=people(5), by=None)
    run = ImportRun.objects.get()
    assert (run.status, run.total, run.done, run.first_line, run.last_line) == (
        "done",
        5,
        5,
        2,
        6,
    )
    assert len(created) == Delegate.objects.count() == Message.objects.count() == 5
    assert run.text == ""  # the file's personal details are not kept once imported


def test_a_part_refused_keeps_the_parts_before_it_and_says_which_lines_are_in(
    secretariat_client, assembly, parts_of_two, queued, monkeypatch
):
    someone_registers_during_part(monkeypatch, part=2, email="person3@x.example")
    response = confirm(secretariat_client, assembly, people(6))
    run = ImportRun.objects.get()
    assert response.url == reverse("registration:import-run", args=[assembly.slug, run.pk])
    page = secretariat_client.get(response.url).content.decode()
    assert "Line 5: person3@x.example was registered meanwhile." in page
    assert IMPORTED_2_OF_6 in page
    # The first part and its two emails are in; the refused part wrote nothing, sent nothing.
    imported = Delegate.objects.filter(source="import")
    assert sorted(imported.values_list("email", flat=True)) == [
        "person0@x.example",
        "person1@x.example",
    ]
    assert Message.objects.count() == 2


def test_confirming_a_stopped_import_again_skips_the_row_registered_meanwhile_and_says_so(
    secretariat_client, assembly, parts_of_two, queued, monkeypatch
):
    someone_registers_during_part(monkeypatch, part=2, email="person3@x.example")
    run_page = confirm(secretariat_client, assembly, people(6)).url
    monkeypatch.undo()
    monkeypatch.setattr(imports, "IMPORT_PART", 2)

    page = secretariat_client.post(run_page, follow=True).content.decode()
    assert "1 of them was registered already and skipped" in page
    assert "person3@x.example is already registered" in page  # line 5, in a table
    imported = Delegate.objects.filter(source="import")
    assert imported.count() == imported.values("email").distinct().count() == 5
    assert Delegate.objects.filter(email="person3@x.example").count() == 1
    deliver_queued()
    assert sorted(m.to[0] for m in mail.outbox) == [
        f"person{n}@x.example" for n in range(6) if n != 3
    ]


def test_a_second_click_on_confirm_imports_nothing_twice(secretariat_client, assembly):
    payload = sign_import(people(3))
    first = confirm(secretariat_client, assembly, "", payload)
    second = confirm(secretariat_client, assembly, "", payload)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Delegate.objects.count() == 3
    assert ImportRun.objects.count() == 1


def test_another_import_running_is_refused_in_plain_words(secretariat_client, assembly):
    ImportRun.objects.create(
        assembly=assembly,
        key="other",
        text=people(300),
        status="running",
        heartbeat_at=timezone.now(),
    )
    response = confirm(secretariat_client, assembly, people(3))
    assert response.status_code == 400
    assert "Another import is running for this assembly" in response.content.decode()
    assert not Delegate.objects.exists()


def test_the_page_shows_a_running_import_with_a_bar_and_follows_it(secretariat_client, assembly):
    run = ImportRun.objects.create(
        assembly=assembly,
        key="k",
        text=people(100),
        status="running",
        total=100,
        done=40,
        heartbeat_at=timezone.now(),
    )
    url = reverse("registration:import-run", args=[assembly.slug, run.pk])
    page = secretariat_client.get(url).content.decode()
    assert '<progress id="import-bar" max="100" value="40">' in page
    assert "40 of 100 rows imported (40%)." in page
    assert '<meta http-equiv="refresh" content="2">' in page
    imports_page = secretariat_client.get(reverse("registration:import", args=[assembly.slug]))
    assert "Importing (40 of 100 rows)" in imports_page.content.decode()


def test_an_import_whose_server_died_shows_as_stopped_and_is_finished_by_confirming(
    secretariat_client, assembly
):
    key, text = unsign_import(sign_import(people(4)))
    run = ImportRun.objects.create(
        assembly=assembly,
        key=key,
        text=text,
        status="running",
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    url = reverse("registration:import-run", args=[assembly.slug, run.pk])
    page = secretariat_client.get(url).content.decode()
    assert "The server stopped while importing." in page
    assert "Nothing was imported yet." in page
    page = secretariat_client.post(url, follow=True).content.decode()
    assert "All 4 registrations were imported." in page


def test_a_run_stopped_with_the_server_writes_no_further_part(assembly, parts_of_two):
    run = ImportRun.objects.create(assembly=assembly, key="k", text=people(6))
    claim = imports.claim_import(run)
    imports._threads[run.pk] = None  # as if this process's thread wrote it
    try:
        assert stop_imports() == 1
    finally:
        imports._threads.pop(run.pk)
    run = run_import(run_id=run.pk, claim=claim)
    assert (run.status, run.done, run.error) == ("failed", 0, "The server stopped while importing.")
    assert not Delegate.objects.exists()


def test_a_file_longer_than_a_part_is_written_in_the_background(
    secretariat_client, assembly, parts_of_two, django_capture_on_commit_callbacks, monkeypatch
):
    started = []
    monkeypatch.setattr(imports, "_start_thread", lambda run_id, claim: started.append(claim))
    with (
        override_settings(IMPORTS_IN_BACKGROUND=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = confirm(secretariat_client, assembly, people(6))
    run = ImportRun.objects.get()
    assert response.url == reverse("registration:import-run", args=[assembly.slug, run.pk])
    assert (run.status, started) == (ImportStatus.RUNNING, [run.claim])
    assert not Delegate.objects.exists()  # the request only started it
    run_import(run_id=run.pk, claim=started[0])  # what the thread does
    page = secretariat_client.get(response.url).content.decode()
    assert "All 6 registrations were imported." in page


def test_a_preview_of_another_assembly_is_not_confirmed_here(assembly, other_assembly):
    key, text = unsign_import(sign_import(people(2)))
    start_import(assembly=other_assembly, key=key, text=text, by=None)
    with pytest.raises(imports.ImportInvalid):
        start_import(assembly=assembly, key=key, text=text, by=None)
    assert not Delegate.objects.filter(assembly=assembly).exists()


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_writes_the_whole_file(assembly, parts_of_two):
    key, text = unsign_import(sign_import(people(7)))
    with override_settings(IMPORTS_IN_BACKGROUND=True):
        run = start_import(assembly=assembly, key=key, text=text, by=None)
    run = imports.wait_for_import(run, timeout=60)
    assert (run.status, run.done, run.done_line) == ("done", 7, 8)
    assert Delegate.objects.count() == 7
