"""Badge photos uploaded at once by many delegates, against the served app: memory and waits.

Run: flock /tmp/bench.lock .venv/bin/python bench/photo_uploads.py [--count 100] [--photo big]
--photo big is a 5472x3648 camera JPEG of about 7.6 MB, 12mp a 4000x3000 one of about 1.9 MB
(both made here, noisy so that they compress like photos); --file PATH uploads a file of yours.
SQLite in a temporary folder; BENCH_DATABASE_URL=postgres://… for PostgreSQL. Prints the
answers (saved, refused with a reason, server errors), p50 / worst seconds, the server's peak
memory and what it kept after, and the seconds until every badge carries its new photo.
Every request goes to 127.0.0.1 and the load stops by itself.
"""

import argparse
import asyncio
import io
import re
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.served import (
    CSRF,
    memory_mb,
    percentile,
    served,
    server_log,
    session_cookies,
    use_fresh_database,
)

SLUG = "bench"
PHOTOS = {"big": (5472, 3648, 40, 91), "12mp": (4000, 3000, 25, 82)}  # size, noise, quality


def camera_photo(kind: str) -> bytes:
    """A photo-like JPEG: gradients under noise, which JPEG compresses about as a photo."""
    from PIL import Image

    width, height, sigma, quality = PHOTOS[kind]
    noise = Image.effect_noise((width // 2, height // 2), sigma).resize((width, height))
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (Image.blend(noise, gradient, 0.5), gradient, noise))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def prepare(count: int) -> list[tuple[int, dict]]:
    """An assembly and count approved delegates, their badges rendered (without a photo)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from assembly.models import Assembly, MemberOrganization
    from badges.services import ensure_badges_rendered
    from registration.models import Delegate

    today = timezone.localdate()
    assembly = Assembly.objects.create(
        slug=SLUG,
        name="Bench Assembly",
        city="Seoul",
        venue="Hall",
        time_zone="Asia/Seoul",
        start_date=today,
        end_date=today + timedelta(days=2),
    )
    member = MemberOrganization.objects.create(
        name="Bench City", kind="local_government", country="Korea", region="asia_pacific"
    )
    users = get_user_model().objects
    delegates = []
    for number in range(count):
        email = f"p{number}@bench.example"
        delegates.append(
            Delegate.objects.create(
                assembly=assembly,
                member=member,
                user=users.create_user(username=email, email=email, password=None),
                full_name=f"Delegate {number}",
                email=email,
                state="approved",
            )
        )
    ensure_badges_rendered(delegates=delegates)
    return [(delegate.pk, session_cookies(delegate.user)) for delegate in delegates]


def with_photo_rendered_since(ids: list[int], since: float) -> int:
    from datetime import UTC, datetime

    from django.db import connection

    from badges.models import Badge

    count = (
        Badge.objects.filter(
            delegate_id__in=ids, rendered_at__gte=datetime.fromtimestamp(since, tz=UTC)
        )
        .exclude(delegate__photo="")
        .count()
    )
    connection.close()
    return count


def wait_for_badges(ids: list[int], since: float, limit: float = 600) -> str:
    while time.time() - since < limit:
        if with_photo_rendered_since(ids, since) == len(ids):
            return f"{time.time() - since:.1f} s"
        time.sleep(0.5)
    done = with_photo_rendered_since(ids, since)
    return f"not all after {limit:.0f} s ({done} of {len(ids)})"


def answer_of(answer: httpx.Response) -> str:
    if answer.status_code == 302:
        return "saved"
    if answer.status_code < 500:
        found = re.search(r'class="errorlist"[^>]*>\s*<li>([^<]+)', answer.text)
        return f"refused: {found.group(1).strip() if found else answer.status_code}"
    return f"server error {answer.status_code}"


async def upload_all(base: str, delegates: list[tuple[int, dict]], photo: bytes) -> None:
    async def upload(cookies: dict) -> tuple[float, str]:
        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=900) as web:
            started = time.perf_counter()
            answer = await web.post(
                f"/a/{SLUG}/me/registration/photo/",
                data={"csrfmiddlewaretoken": CSRF},
                files={"photo": ("me.jpg", photo, "image/jpeg")},
            )
            return time.perf_counter() - started, answer_of(answer)

    wall = time.time()
    answers = await asyncio.gather(*(upload(cookies) for _pk, cookies in delegates))
    seconds = [each for each, _what in answers]
    counts: dict[str, int] = {}
    for _each, what in answers:
        counts[what] = counts.get(what, 0) + 1
    print(
        f"  {len(answers)} uploads at once: p50 {percentile(seconds, 0.5):.1f} s,"
        f" worst {max(seconds):.1f} s; {counts}"
    )
    pairs = zip(delegates, answers, strict=True)
    saved = [pk for (pk, _cookies), (_each, what) in pairs if what == "saved"]
    print(
        f"    every saved photo on its badge "
        f"{await asyncio.to_thread(wait_for_badges, saved, wall)}"
    )


def watch_memory(pid: int, stop: threading.Event, peaks: list[float]) -> None:
    """The server's resident memory, sampled: its high-water mark counts the whole life."""
    while not stop.wait(0.05):
        try:
            peaks.append(memory_mb(pid)[0])
        except (FileNotFoundError, ProcessLookupError):
            return


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--photo", choices=sorted(PHOTOS), default="big")
    parser.add_argument("--file", type=Path, help="upload this file instead")
    parser.add_argument("--port", type=int, default=8172)
    args = parser.parse_args()
    photo = args.file.read_bytes() if args.file else camera_photo(args.photo)
    workdir = use_fresh_database("photos")
    from django.db import connection

    print(f"preparing {args.count} approved delegates…")
    delegates = prepare(args.count)
    label = args.file.name if args.file else f"{args.photo} ({PHOTOS[args.photo][:2]})"
    print(f"{connection.vendor}: uvicorn, one process; photo {label}, {len(photo) / 1e6:.1f} MB")
    base = f"http://127.0.0.1:{args.port}"
    with served(workdir, args.port) as server:
        before, _peak = memory_mb(server.pid)
        stop, samples = threading.Event(), []
        watcher = threading.Thread(target=watch_memory, args=(server.pid, stop, samples))
        watcher.start()
        asyncio.run(upload_all(base, delegates, photo))
        stop.set()
        watcher.join()
        time.sleep(2)
        after, peak = memory_mb(server.pid)
        print(
            f"  server memory: {before:.0f} MB before, peak {peak:.0f} MB"
            f" (sampled {max(samples, default=0):.0f} MB), {after:.0f} MB after"
        )
    log = server_log(workdir)
    print(
        f"  server log: {log.count('database is locked')} 'database is locked',"
        f" {log.count('were not rendered') + log.count('on_commit')} badge renders failed,"
        f" {log.count('Traceback')} tracebacks"
    )


if __name__ == "__main__":
    sys.exit(main())
