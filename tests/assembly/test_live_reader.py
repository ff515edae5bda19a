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
