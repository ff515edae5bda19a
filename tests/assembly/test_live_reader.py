"""The live-state reader thread: a state marked due is always read, even as the thread ends."""

import asyncio
import threading
import time

from assembly.live import _StateReader


def test_a_state_marked_due_while_the_reader_thread_ends_is_still_read():
    reader = _StateReader()
    decide = reader._wait_for_due

    def slow_to_end() -> bool:
        keep = decide()
        if not keep:
            time.sleep(0.3)  # the thread has decided to end and is still alive meanwhile
        return keep

    reader._wait_for_due = slow_to_end
    loop = asyncio.new_event_loop()  # offers queue on it; nothing needs to run them
    try:
        reader.mark_due(loop, "g", "first", dict)
        reader.wait()
        stopper = threading.Thread(target=reader.stop)
        stopper.start()
        time.sleep(0.1)
        reads = []
        reader.mark_due(loop, "g", "second", lambda: reads.append("second") or {})
        stopper.join()
        deadline = time.monotonic() + 2
        while not reads and time.monotonic() < deadline:
            time.sleep(0.01)
        assert reads == ["second"]
    finally:
        reader.stop()
        loop.close()


def _wait_in_background(reader: _StateReader, seconds: float) -> bool:
    """Whether reader.wait() returned within `seconds` (it used to block for ever)."""
    waiter = threading.Thread(target=reader.wait, daemon=True)
    waiter.start()
    waiter.join(seconds)
    return not waiter.is_alive()


def test_a_reader_thread_that_breaks_hands_what_is_due_to_another():
    reader = _StateReader()
    decide = reader._wait_for_due
    broke = []

    def breaks_once() -> bool:
        if not broke:
            broke.append(True)
            raise RuntimeError("the reader thread broke between reads")
        return decide()

    reader._wait_for_due = breaks_once
    loop = asyncio.new_event_loop()
    reads = []
    try:
        reader.mark_due(loop, "g", "turnout", lambda: reads.append("turnout") or {})
        assert _wait_in_background(reader, 5), "wait() blocked after the reader thread broke"
        assert broke
        assert reads == ["turnout"]
    finally:
        reader.stop()
        loop.close()


def test_states_taken_by_a_reader_that_breaks_mid_offer_are_still_read():
    reader = _StateReader()
    offer = reader._read_and_offer
    reads = []

    def breaks_on_first_offer(loop, group, event, build) -> bool:
        if not reads:
            reads.append("broken")
            raise RuntimeError("the loop's queue refused the offer")
        return offer(loop, group, event, build)

    reader._read_and_offer = breaks_on_first_offer
    loop = asyncio.new_event_loop()
    try:
        reader.mark_due(loop, "g", "turnout", lambda: reads.append("turnout") or {})
        reader.mark_due(loop, "g", "quorum", lambda: reads.append("quorum") or {})
        assert _wait_in_background(reader, 5)
        assert sorted(reads) == ["broken", "quorum", "turnout"]
    finally:
        reader.stop()
        loop.close()
