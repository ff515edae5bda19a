"""On SQLite a secret poll's close leaves no trace of the order its ballots were cast in: the
write-ahead log, whose frames hold each ballot's page as it was written, is truncated, and the
rows the close rewrote are overwritten in the database file (secure_delete)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VOTERS = 8


def occurrences(data: bytes, receipts: list[str]) -> list[int]:
    return [data.count(receipt.encode()) for receipt in receipts]


@pytest.fixture
def scenario(tmp_path):
    """The scenario's process with its database file; ended whatever the test asserts."""
    database = tmp_path / "db.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=str(ROOT),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.voting.secret_close_scenario", str(VOTERS)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield process, database
    finally:
        if process.poll() is None:
            process.stdin.close()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def step(process) -> str:
    line = process.stdout.readline()
    assert line, f"the scenario ended early (exit code {process.poll()})"
    return line


def test_closing_a_secret_poll_leaves_no_ballot_order_in_the_sqlite_files(scenario):
    process, database = scenario
    wal = Path(f"{database}-wal")
    receipts = json.loads(step(process))
    # While the poll is open the log shows the order: the first ballot's row is in every
    # frame of its page written after it, the last ballot's in the fewest.
    before = occurrences(wal.read_bytes(), receipts)
    assert before[0] > before[-1] > 0
    process.stdin.write("close\n")
    process.stdin.flush()
    assert step(process).strip() == "closed"
    left = wal.read_bytes() if wal.exists() else b""
    assert occurrences(left, receipts) == [0] * VOTERS
    assert len(left) == 0
    # Each ballot's receipt hash stays in the file twice: its row as the close rewrote it and
    # the unique index's entry. No earlier copy of a row survives.
    assert occurrences(database.read_bytes(), receipts) == [2] * VOTERS
