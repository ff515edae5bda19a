"""The embedded SQLite layout: writers of one process take turns instead of sleeping."""

import os
import threading
import time

import pytest
from django.db import IntegrityError, OperationalError
from django.db.utils import ConnectionHandler

from assembly.sqlite.base import _idle as idle


@pytest.fixture(autouse=True)
def own_database_files(django_db_blocker):
    """These tests open their own SQLite files, not the test database."""
    with django_db_blocker.unblock():
        yield


def sqlite_at(path, timeout=5):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "assembly.sqlite",
                "NAME": str(path),
                "OPTIONS": {"timeout": timeout},
            }
        }
    )
    return handler


def test_a_second_writer_starts_the_moment_the_first_commits(tmp_path):
    handler = sqlite_at(tmp_path / "w.sqlite3")
    first = handler["default"]
    first.cursor().execute("CREATE TABLE t (n integer)")
    events: list[str] = []

    def second_writer() -> None:
        second = sqlite_at(tmp_path / "w.sqlite3")["default"]
        second.ensure_connection()
        second._start_transaction_under_autocommit()
        events.append("second began")
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second.commit()
        second.close()

    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")
    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.2)
    events.append("first commits")
    first.commit()
    thread.join(5)
    assert events == ["first commits", "second began"]
    assert [row[0] for row in first.cursor().execute("SELECT n FROM t ORDER BY n")] == [1, 2]
    first.close()


def test_a_writer_waiting_past_the_timeout_gets_database_is_locked(tmp_path):
    first = sqlite_at(tmp_path / "w.sqlite3", timeout=0.2)["default"]
    first.cursor().execute("CREATE TABLE t (n integer)")
    first._start_transaction_under_autocommit()
    errors: list[str] = []

    def second_writer() -> None:
        second = sqlite_at(tmp_path / "w.sqlite3", timeout=0.2)["default"]
        second.ensure_connection()
        try:
            second._start_transaction_under_autocommit()
        except OperationalError as error:
            errors.append(str(error))
        second.close()

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(5)
    first.rollback()
    assert errors == ["database is locked"]
    first.close()


def test_the_next_request_reuses_a_closed_connection_with_its_settings(tmp_path):
    first = sqlite_at(tmp_path / "k.sqlite3")["default"]
    first.cursor().execute("CREATE TABLE parent (id integer PRIMARY KEY)")
    first.cursor().execute("CREATE TABLE child (parent_id integer REFERENCES parent (id))")
    raw = first.connection
    first.close()

    second = sqlite_at(tmp_path / "k.sqlite3")["default"]  # another request's thread
    second.ensure_connection()
    assert second.connection is raw
    assert second.cursor().execute("PRAGMA foreign_keys").fetchone() == (1,)
    with pytest.raises(IntegrityError):
        second.cursor().execute("INSERT INTO child VALUES (7)")
    second.close()


def test_connections_open_at_once_are_never_shared(tmp_path):
    first = sqlite_at(tmp_path / "k.sqlite3")["default"]
    first.ensure_connection()
    second = sqlite_at(tmp_path / "k.sqlite3")["default"]
    second.ensure_connection()
    assert first.connection is not second.connection
    first.close()
    second.close()


def test_a_connection_closed_inside_a_transaction_is_not_kept(tmp_path):
    first = sqlite_at(tmp_path / "k.sqlite3")["default"]
    first.cursor().execute("CREATE TABLE t (n integer)")
    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")
    raw = first.connection
    first._close()  # the request ends half-way through its transaction
    first.connection = None

    second = sqlite_at(tmp_path / "k.sqlite3")["default"]
    second.ensure_connection()
    assert second.connection is not raw
    assert second.cursor().execute("SELECT count(*) FROM t").fetchone() == (0,)
    # The write lock went with the closed connection: the next writer gets in at once.
    second._start_transaction_under_autocommit()
    second.rollback()
    second.close()


def test_a_kept_connection_keeps_its_busy_timeout_apart_from_other_options(tmp_path):
    patient = sqlite_at(tmp_path / "k.sqlite3", timeout=5)["default"]
    patient.ensure_connection()
    raw = patient.connection
    patient.close()
    hasty = sqlite_at(tmp_path / "k.sqlite3", timeout=0.2)["default"]
    hasty.ensure_connection()
    assert hasty.connection is not raw  # other options, another connection
    hasty.close()


def test_a_forked_child_keeps_none_of_its_parents_connections(tmp_path):
    parent = sqlite_at(tmp_path / "k.sqlite3")["default"]
    parent.ensure_connection()
    parent.close()  # kept for the parent's next request
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(reader)
        os.write(writer, str(sum(len(kept) for kept in idle.values())).encode())
        os._exit(0)
    os.close(writer)
    kept_in_child = int(os.read(reader, 16))
    os.close(reader)
    os.waitpid(child, 0)
    assert kept_in_child == 0
    assert sum(len(kept) for kept in idle.values()) >= 1
