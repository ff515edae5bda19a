"""Benchmark (b): 500 A6 badges in one PDF and as A4 sheets of four: cold, warm, badges/s, memory.

Run: flock /tmp/bench.lock env DEBUG=true .venv/bin/python bench/badge_pdfs.py [--count 500]
[--no-photos] (the lock keeps benchmarks on this 2-core machine from overlapping).
Each layout runs in a fresh Python process: "cold" is its first document (fork server
started and WeasyPrint imported in it, workers forked, fonts and stylesheet loaded, no
QR code made yet; this process renders the first part meanwhile), "warm" the same
document again in that process. Every badge has its own photo
(600x800 JPEG, as registration stores them) unless --no-photos. Rendering goes through
render_faces as a batch does: parts on BADGE_PDF_WORKERS worker processes, merged. Then
the whole batch service (run_badge_batch: delegates and badges read, faces, PDF,
progress, file saved) on a new SQLite database in a temporary folder, A6.
CPU seconds add the parent's and every process below it (fork server, workers, resource
tracker); peak RSS is each process's high-water mark.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assembly.settings")
os.environ.setdefault("DEBUG", "true")
# Django is set up in main() and imported inside functions: the worker processes
# import this module again (as __mp_main__), and should stay as light as in the server.
A6, A4_SHEET = "a6", "a4"  # BatchLayout values
if TYPE_CHECKING:
    from collections.abc import Callable

    from badges.pdf import BadgeFace

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
TICKS = os.sysconf("SC_CLK_TCK")


def faces(count: int) -> list["BadgeFace"]:
    from badges.pdf import BadgeFace
    from badges.tokens import issue_token

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


def make_photos(folder: Path, count: int) -> None:
    """One distinct photo a badge, of a real photo's size once compressed (about 55 kB)."""
    from PIL import Image, ImageDraw, ImageFilter

    grain = Image.effect_noise((600, 800), 60).filter(ImageFilter.GaussianBlur(2))
    mirrored = grain.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    for i in range(count):
        photo = Image.merge("RGB", (grain.point(lambda v, i=i: (v + i) % 256), grain, mirrored))
        ImageDraw.Draw(photo).ellipse((150, 150, 450, 500), fill=(230, 190 - i % 50, 160))
        photo.save(folder / f"{i}.jpg", format="JPEG", quality=85, optimize=True)


def workers(pid: int | None = None) -> list[int]:
    """Every process below this one: the fork server and the workers it forked."""
    pid = os.getpid() if pid is None else pid
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *workers(int(child))]
    return found


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(label: str, items: list["BadgeFace"], layout: str) -> bytes:
    from badges.pdf import render_faces

    return timed(label, len(items), lambda: render_faces(items, layout=layout))


def timed(label: str, n: int, work: "Callable[[], bytes]") -> bytes:
    parent_cpu = time.process_time()
    before = {pid: cpu_seconds(pid) for pid in workers()}
    load = os.getloadavg()[0]
    started = time.perf_counter()
    content = work()
    seconds = time.perf_counter() - started
    pids = workers()
    cpu = time.process_time() - parent_cpu
    cpu += sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in pids)
    parent_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_rss = " + ".join(f"{peak_rss_mb(pid):.0f}" for pid in pids) or "none"
    print(
        f"{label:<16} {n:>4} badges {seconds:6.2f} s {n / seconds:6.1f} badges/s"
        f" {1000 * seconds / n:5.1f} ms/badge | CPU {cpu:5.1f} s"
        f" ({1000 * cpu / n:4.1f} ms/badge) | peak RSS parent {parent_rss:.0f} MB,"
        f" workers {worker_rss} MB | load {load:.1f} -> {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return content


def run_layout(layout: str, count: int, photos: str) -> None:
    """In this fresh process: the document cold, then warm; checks every page is there."""
    from pypdf import PdfReader

    items = faces(count)
    if photos:
        items = [replace(face, photo=f"{photos}/{i}.jpg") for i, face in enumerate(items)]
    name = "A6" if layout == A6 else "A4 sheets of 4"
    content = measure(f"{name}, cold", items, layout)
    measure(f"{name}, warm", items, layout)
    import io

    pages = len(PdfReader(io.BytesIO(content)).pages)
    expected = count if layout == A6 else -(-count // 4)
    assert pages == expected, f"{pages} pages, expected {expected}"
    cjk = b"Noto-Sans-CJK" in content
    print(f"{'':<16} PDF {len(content) / 1e6:.1f} MB, {pages} pages, Noto CJK embedded: {cjk}")


def run_batch(count: int, photos: str) -> None:
    """The whole batch service on a new SQLite database: count approved delegates with photos.

    Their badges exist, as approval creates them, but none is rendered. Cold: this fresh
    process's first batch; warm: a second one.
    """
    from datetime import date

    from django.core.management import call_command

    from assembly.models import Assembly, MemberOrganization
    from badges.models import Badge, BadgeBatch
    from badges.services import run_badge_batch
    from registration.models import Delegate

    call_command("migrate", verbosity=0)
    assembly = Assembly.objects.create(
        slug="bench",
        name="6th WeGO General Assembly",
        city="Seoul",
        venue="Seoul Dragon City",
        time_zone="Asia/Seoul",
        start_date=date(2023, 9, 25),
        end_date=date(2023, 9, 27),
    )
    member = MemberOrganization.objects.create(
        name="Seoul", kind="local_government", country="Korea", region="asia_pacific"
    )
    media = Path(os.environ["MEDIA_ROOT"]) / "photos"
    media.mkdir(parents=True)
    for i in range(count if photos else 0):
        shutil.copy(f"{photos}/{i}.jpg", media / f"{i}.jpg")
    Delegate.objects.bulk_create(
        Delegate(
            assembly=assembly,
            member=member,
            full_name=f"{NAMES[i % len(NAMES)]} {i}",
            title="Director-General, Digital Policy",
            email=f"d{i}@bench.example",
            country="Korea",
            role="voting_delegate",
            state="approved",
            photo=f"photos/{i}.jpg" if photos else "",
        )
        for i in range(count)
    )
    Badge.objects.bulk_create(
        Badge(assembly=assembly, delegate=delegate) for delegate in assembly.delegates.all()
    )

    def batch() -> bytes:
        job = BadgeBatch.objects.create(assembly=assembly, layout=A6, total=count)
        job = run_badge_batch(batch_id=job.pk)
        assert job.status == "done", job.error
        return job.pdf.read()

    timed("batch A6, cold", count, batch)
    timed("batch A6, warm", count, batch)


def qr_cost(count: int) -> None:
    from badges.pdf import qr_png

    tokens = [face.token for face in faces(count)]
    started = time.process_time()
    for token in tokens:
        qr_png.__wrapped__(token)
    print(f"QR PNG alone: {1000 * (time.process_time() - started) / count:.1f} ms CPU per badge")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--no-photos", action="store_true")
    parser.add_argument("--layout", help=argparse.SUPPRESS)  # one layout, in a child process
    parser.add_argument("--photos", default="", help=argparse.SUPPRESS)
    parser.add_argument("--batch-in", default="", help=argparse.SUPPRESS)  # a folder
    args = parser.parse_args()
    if args.batch_in:
        os.environ["DATABASE_URL"] = f"sqlite:///{args.batch_in}/bench.sqlite3"
        os.environ["MEDIA_ROOT"] = f"{args.batch_in}/media"
    import django

    django.setup()
    if args.batch_in:
        run_batch(args.count, args.photos)
        return
    if args.layout:
        run_layout(args.layout, args.count, args.photos)
        return
    from django.conf import settings
    from weasyprint.text.ffi import harfbuzz_subset

    print(
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores;"
        f" BADGE_PDF_WORKERS={settings.BADGE_PDF_WORKERS},"
        f" BADGE_BATCH_CHUNK={settings.BADGE_BATCH_CHUNK};"
        f" HarfBuzz subsetting: {harfbuzz_subset is not None}"
    )
    print(
        f"WeasyPrint badges, {args.count} per document, names in Latin/Hangul/Cyrillic/Arabic,"
        f" {'no photos' if args.no_photos else 'a photo on each'}"
    )
    folder = tempfile.mkdtemp(prefix="badge-photos-")
    try:
        if not args.no_photos:
            make_photos(Path(folder), args.count)
        common = [sys.executable, __file__, "--count", str(args.count)]
        if not args.no_photos:
            common += ["--photos", folder]
        for layout in (A6, A4_SHEET):
            subprocess.run([*common, "--layout", layout], check=True)
        subprocess.run([*common, "--batch-in", tempfile.mkdtemp(dir=folder)], check=True)
    finally:
        shutil.rmtree(folder)
    qr_cost(min(args.count, 200))


if __name__ == "__main__":
    main()
