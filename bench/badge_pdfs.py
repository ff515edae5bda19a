"""Benchmark (b): 500 A6 badges in one PDF and as A4 sheets of four: cold, warm, badges/s, memory.

Run: DEBUG=true .venv/bin/python bench/badge_pdfs.py [--count 500]
Every run renders all badges as in a batch: one WeasyPrint document per worker process
(BADGE_PDF_WORKERS, default 2), the stylesheet parsed once per process, parts merged.
Cold: fresh process (stylesheet, fonts, templates parsed on the way) and no QR code cached;
warm: the same document again in that process (QR PNGs cached per token).
Peak memory is this process's max RSS so far (workers are separate processes); the load
average is printed (shared machine).
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assembly.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from badges.models import BatchLayout  # noqa: E402
from badges.pdf import BadgeFace, qr_png, render_faces  # noqa: E402
from badges.tokens import issue_token  # noqa: E402

NAMES = [
    "김서연 Kim Seo-yeon",
    "Grace Namukasa",
    "Айгерим Сейткали",
    "فاطمة الهاشمي",
    "João Araújo",
    "Oh Se-hoon 오세훈",
    "Dmitri Ivanov Дмитрий",
    "Amina El Idrissi",
]


def faces(count: int) -> list[BadgeFace]:
    return [
        BadgeFace(
            name=f"{NAMES[i % len(NAMES)]} {i}",
            title="Director-General, Digital Policy",
            organization=f"City of Example {i % 97}",
            country="Korea",
            role="voting_delegate",
            role_label="Voting delegate",
            colour="#0b4f8a",
            photo="",
            token=issue_token(assembly_id=1, delegate_id=i + 1, version=1),
            assembly_name="6th WeGO General Assembly",
            dates="25 Sep 2023 - 27 Sep 2023",
            venue="Seoul Dragon City, Seoul",
        )
        for i in range(count)
    ]


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(label: str, count: int, work) -> bytes:
    started = time.perf_counter()
    content = work()
    seconds = time.perf_counter() - started
    report(label, count, seconds, content)
    return content


def report(label: str, count: int, seconds: float, content: bytes) -> None:
    items = range(count)
    print(
        f"{label:<26} {len(items):>4} badges  {seconds:6.2f} s"
        f"  {len(items) / seconds:7.1f} badges/s"
        f"  {1000 * seconds / len(items):5.1f} ms/badge"
        f"  peak RSS {max_rss_mb():6.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    items = faces(args.count)
    n = len(items)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"WeasyPrint badges, {n} per document, mixed Latin/Hangul/Cyrillic/Arabic names")
    a6 = run("A6, cold", n, lambda: render_faces(items, layout=BatchLayout.A6))
    run("A6, warm", n, lambda: render_faces(items, layout=BatchLayout.A6))
    qr_png.cache_clear()
    a4 = run("A4 sheets of 4, cold QR", n, lambda: render_faces(items, layout=BatchLayout.A4_SHEET))
    run("A4 sheets of 4, warm", n, lambda: render_faces(items, layout=BatchLayout.A4_SHEET))
    print(f"PDF size: A6 {len(a6) / 1e6:.2f} MB, A4 sheets {len(a4) / 1e6:.2f} MB")
    started = time.perf_counter()
    for face in items:
        qr_png.__wrapped__(face.token)
    print(f"QR PNG alone: {1000 * (time.perf_counter() - started) / n:.1f} ms per badge")


if __name__ == "__main__":
    main()
