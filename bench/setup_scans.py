"""Prepare the scan benchmark's database: migrate, one assembly, 400 delegates with badges.

Prints the desk's bearer token, then the badge tokens comma-separated. Run by scans_http.py.
"""

import sys
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from assembly.models import Assembly, Checkpoint, MemberOrganization, StaffRole  # noqa: E402
from assembly.services import issue_api_token  # noqa: E402
from badges.models import Badge, CheckpointPresence, Scan  # noqa: E402
from badges.services import token_for  # noqa: E402
from bench.postgres import refresh_planner_statistics  # noqa: E402
from bench.urls import reset_bare_table  # noqa: E402
from registration.models import Delegate  # noqa: E402


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    reset_bare_table()
    Scan.objects.all().delete()
    CheckpointPresence.objects.all().delete()
    assembly, _ = Assembly.objects.get_or_create(
        slug="bench",
        defaults={
            "name": "Bench",
            "city": "Seoul",
            "venue": "Hall",
            "time_zone": "Asia/Seoul",
            "start_date": timezone.localdate(),
            "end_date": timezone.localdate() + timedelta(days=2),
        },
    )
    Checkpoint.objects.get_or_create(
        assembly=assembly, code="entrance", defaults={"name": "Entrance", "kind": "entrance"}
    )
    Checkpoint.objects.get_or_create(
        assembly=assembly,
        code="plenary",
        defaults={"name": "Hall", "kind": "plenary", "is_voting": True},
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-desk")
    StaffRole.objects.get_or_create(assembly=assembly, user=user, role="desk")
    _token, raw = issue_api_token(user=user, name="bench")
    member, _ = MemberOrganization.objects.get_or_create(
        name="Bench City",
        defaults={"kind": "local_government", "country": "Korea", "region": "asia_pacific"},
    )
    have = Delegate.objects.filter(assembly=assembly).count()
    Delegate.objects.bulk_create(
        [
            Delegate(
                assembly=assembly,
                member=member,
                full_name=f"Delegate {i}",
                email=f"d{i}@bench.example",
                state="approved",
            )
            for i in range(have, count)
        ]
    )
    for delegate in Delegate.objects.filter(assembly=assembly, badge__isnull=True):
        Badge.objects.create(delegate=delegate, assembly=assembly)
    badges = Badge.objects.filter(assembly=assembly).select_related("delegate")
    refresh_planner_statistics()
    print(raw)
    print(",".join(token_for(badge) for badge in badges))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
