"""Writes that change what a badge prints, against the served app: how long people wait.

Run: flock /tmp/bench.lock .venv/bin/python bench/badge_writes.py [--approve 300] [--edits 250]
(SQLite in a temporary folder; BENCH_DATABASE_URL=postgres://… for PostgreSQL). Prints
  1. the secretariat's "approve ticked" for --approve submitted registrations: the request's
     seconds, then the seconds until every approved delegate's badge PDF is rendered;
  2. --edits delegates changing their title (printed on the badge) at once through the API:
     p50 / p99 / worst answer, the worst wait of a desk scanning beside them (a write that
     has nothing to do with badges), and the seconds until every badge shows the new title;
  3. the same for a field the badge does not print (the phone number).
Every request goes to 127.0.0.1 and the load stops by itself.
"""

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.served import (
    CSRF,
    cpu_seconds,
    memory_mb,
    percentile,
    served,
    server_log,
    session_cookies,
    use_fresh_database,
)

SLUG = "bench"
PRINTED = {"full_name", "title", "organization_name", "country"}


def prepare(approve: int, edits: int) -> dict:
    """The assembly, its desk, a secretariat, submitted and approved delegates (badges rendered)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from assembly.models import Assembly, Checkpoint, MemberOrganization, StaffRole
    from assembly.services import issue_api_token
    from badges.services import ensure_badges_rendered, token_for
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
    Checkpoint.objects.create(assembly=assembly, code="entrance", name="Entrance", kind="entrance")
    member = MemberOrganization.objects.create(
        name="Bench City", kind="local_government", country="Korea", region="asia_pacific"
    )
    users = get_user_model().objects
    desk = users.create_user(username="bench-desk", password=None)
    StaffRole.objects.create(assembly=assembly, user=desk, role="desk")
    secretary = users.create_user(username="bench-secretariat", password=None)
    StaffRole.objects.create(assembly=assembly, user=secretary, role="secretariat")

    def delegates(prefix: str, count: int, state: str) -> list[Delegate]:
        made = []
        for number in range(count):
            email = f"{prefix}{number}@bench.example"
            made.append(
                Delegate.objects.create(
                    assembly=assembly,
                    member=member,
                    user=users.create_user(username=email, email=email, password=None),
                    full_name=f"Delegate {prefix} {number}",
                    title="Director, Smart City Bureau",
                    email=email,
                    country="Korea",
                    state=state,
                )
            )
        return made

    submitted = delegates("s", approve, "submitted")
    editors = delegates("e", edits, "approved")
    badges = ensure_badges_rendered(delegates=editors)
    return {
        "desk": issue_api_token(user=desk, name="bench")[1],
        "badge": token_for(badges[0]),
        "secretariat": session_cookies(secretary),
        "submitted": [delegate.pk for delegate in submitted],
        "editors": [(delegate.pk, session_cookies(delegate.user)) for delegate in editors],
    }


def rendered_since(ids: list[int], since: float) -> int:
    """How many of these delegates' badges were rendered after `since` (a Unix time)."""
    from datetime import UTC, datetime

    from django.db import connection

    from badges.models import Badge

    count = Badge.objects.filter(
        delegate_id__in=ids, rendered_at__gte=datetime.fromtimestamp(since, tz=UTC)
    ).count()
    connection.close()
    return count


def wait_for_badges(ids: list[int], since: float, limit: float = 600) -> str:
    while time.time() - since < limit:
        done = rendered_since(ids, since)
        if done == len(ids):
            return f"{time.time() - since:.1f} s"
        time.sleep(0.5)
    return f"not all after {limit:.0f} s ({rendered_since(ids, since)} of {len(ids)})"


async def approve_ticked(base: str, data: dict, pid: int) -> None:
    ids = data["submitted"]
    async with httpx.AsyncClient(base_url=base, cookies=data["secretariat"], timeout=600) as web:
        started, wall, cpu = time.perf_counter(), time.time(), cpu_seconds(pid)
        answer = await web.post(
            f"/a/{SLUG}/secretariat/registrations/",
            data={"action": "approve", "delegate": [str(pk) for pk in ids]}
            | {"csrfmiddlewaretoken": CSRF},
        )
        seconds = time.perf_counter() - started
    print(f"  approve ticked ({len(ids)}): HTTP {answer.status_code} in {seconds:.2f} s")
    print(f"    every badge rendered {await asyncio.to_thread(wait_for_badges, ids, wall)}")
    print(f"    server CPU {cpu_seconds(pid) - cpu:.1f} s")


async def desk_probe(base: str, data: dict, stop: asyncio.Event) -> list[float]:
    """A desk scanning the same badge in and out, one scan at a time: its waits in seconds."""
    waits = []
    headers = {"Authorization": f"Bearer {data['desk']}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=600) as desk:
        for number in range(1_000_000):
            if stop.is_set():
                break
            started = time.perf_counter()
            await desk.post(
                f"/api/v1/assemblies/{SLUG}/scans",
                json={
                    "token": data["badge"],
                    "checkpoint": "entrance",
                    "direction": "in" if number % 2 == 0 else "out",
                    "desk": "bench",
                    "idempotency_key": uuid.uuid4().hex,
                },
            )
            waits.append(time.perf_counter() - started)
            await asyncio.sleep(0.1)
    return waits


async def edits_at_once(base: str, data: dict, field: str, printed: bool, pid: int) -> None:
    stop = asyncio.Event()
    probe = asyncio.create_task(desk_probe(base, data, stop))
    await asyncio.sleep(0.5)

    async def edit(pk: int, cookies: dict) -> tuple[float, int]:
        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=600) as web:
            started = time.perf_counter()
            answer = await web.patch(
                f"/api/v1/assemblies/{SLUG}/registration/me",
                json={field: f"{field} {uuid.uuid4().hex[:8]}"},
                headers={"X-CSRFToken": CSRF},
            )
            return time.perf_counter() - started, answer.status_code

    wall, cpu = time.time(), cpu_seconds(pid)
    answers = await asyncio.gather(*(edit(pk, cookies) for pk, cookies in data["editors"]))
    answered_cpu = cpu_seconds(pid) - cpu
    stop.set()
    waits = await probe
    seconds = [each for each, _status in answers]
    failed = [status for _each, status in answers if status != 200]
    print(
        f"  {len(answers)} edits of {field} at once: p50 {percentile(seconds, 0.5):.2f} s,"
        f" p99 {percentile(seconds, 0.99):.2f} s, worst {max(seconds):.2f} s,"
        f" not 200: {len(failed)} {sorted(set(failed))}"
    )
    print(f"    desk scans meanwhile: {len(waits)}, worst wait {max(waits):.2f} s")
    ids = [pk for pk, _cookies in data["editors"]]
    if printed:
        print(f"    every badge shows it {await asyncio.to_thread(wait_for_badges, ids, wall)}")
    else:
        again = await asyncio.to_thread(rendered_since, ids, wall)
        print(f"    badges rendered again (none needed): {again}")
    print(
        f"    server CPU until the last answer {answered_cpu:.1f} s,"
        f" until the badges too {cpu_seconds(pid) - cpu:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--approve", type=int, default=300)
    parser.add_argument("--edits", type=int, default=250)
    parser.add_argument("--fields", default="title,phone", help="fields edited, in turn")
    parser.add_argument("--port", type=int, default=8171)
    args = parser.parse_args()
    workdir = use_fresh_database("badge-writes")
    from django.db import connection

    print(f"preparing {args.approve} submitted and {args.edits} approved delegates…")
    data = prepare(args.approve, args.edits)
    print(f"{connection.vendor}: uvicorn, one process")
    base = f"http://127.0.0.1:{args.port}"
    with served(workdir, args.port) as server:
        if args.approve:
            asyncio.run(approve_ticked(base, data, server.pid))
        for field in args.fields.split(","):
            asyncio.run(edits_at_once(base, data, field, field in PRINTED, server.pid))
        now, peak = memory_mb(server.pid)
        print(f"  server memory: peak {peak:.0f} MB, now {now:.0f} MB")
    log = server_log(workdir)
    print(f"  server log: {log.count('database is locked')} 'database is locked',")
    print(f"    {log.count('Traceback')} tracebacks")


if __name__ == "__main__":
    sys.exit(main())
