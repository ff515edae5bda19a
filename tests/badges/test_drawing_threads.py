"""Badges drawn by many threads at once in a process that has drawn none yet all finish.

Pango starts fontconfig on its first use and is not safe to use from two threads at once:
thirty approvals right after a server's start hung for good in g_cond_wait, and threads
drawing together crashed the process. Each run is a fresh process (its first badges); a run
of the unguarded code failed about one time in three, so five runs nearly always catch it.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THREADS = 30
DRAW_AT_ONCE = f"""
import os
import threading
import time
from badges import pdf_render

names = ["Grace Namukasa", "김서연 Kim Seo-yeon", "فاطمة الهاشمي", "Айгерим Сейткали", "João"]
start = threading.Barrier({THREADS})
drawn = []

def draw(number):
    start.wait()
    name = names[number % len(names)] + " 김서연 فاطمة"  # each thread looks up fallback fonts
    html = f'<p style="font-family: Noto Sans; font-weight: bold">{{name}}</p>'
    drawn.append(pdf_render.render_html(html).startswith(b"%PDF"))

threads = [threading.Thread(target=draw, args=(n,), daemon=True) for n in range({THREADS})]
for thread in threads:
    thread.start()
deadline = time.monotonic() + 30
for thread in threads:
    thread.join(max(0, deadline - time.monotonic()))
print(sum(drawn), flush=True)
os._exit(0)  # past a thread that hung
"""


@pytest.mark.parametrize("run", range(5))
def test_thirty_threads_drawing_a_process_first_badges_all_finish(run):
    try:
        done = subprocess.run(
            [sys.executable, "-c", DRAW_AT_ONCE],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("threads drawing badges hung")
    assert done.returncode == 0, done.stderr[-2000:]  # a crash (SIGSEGV, SIGABRT) is negative
    assert done.stdout.split()[-1] == str(THREADS)
