"""Loads the 6th WeGO General Assembly as demo data; running it twice changes nothing."""

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model
from django.utils.module_loading import import_string

from assembly import demo_data
from assembly.models import Assembly, Checkpoint, MemberOrganization, MembershipStatus, StaffRole

User = get_user_model()

DEMO_PASSWORD = "plenary-demo"  # noqa: S105 - printed by the demo command for each staff login

# Each app adds its part of the demo, in dependency order, as load(assembly) -> None.
APP_LOADERS = [
    "registration.demo.load",
    "sessions.demo.load",
    "badges.demo.load",
    "voting.demo.load",
]


def upsert(model: type[Model], lookup: dict[str, Any], values: dict[str, Any]) -> Model:
    """Create the row, or update only the fields that differ: a second run writes nothing."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save()
    return instance


def assembly_dates(*, original_dates: bool, today: date) -> tuple[date, date]:
    original = demo_data.ASSEMBLY
    if original_dates:
        return original["start_date"], original["end_date"]
    length = original["end_date"] - original["start_date"]
    return today, today + length


def load_members() -> None:
    for member in demo_data.MEMBERS:
        upsert(
            MemberOrganization,
            {"name": member.name},
            {
                "kind": member.kind,
                "country": member.country,
                "region": member.region,
                "population": member.population,
                "membership_type": member.membership_type,
                "membership_status": MembershipStatus.ACTIVE,
                "dues_paid": member.dues_paid,
            },
        )


def load_assembly(*, start: date, end: date) -> Assembly:
    data = demo_data.ASSEMBLY
    assembly = upsert(
        Assembly,
        {"slug": data["slug"]},
        {
            "name": data["name"],
            "organisation": data["organisation"],
            "city": data["city"],
            "country": data["country"],
            "venue": data["venue"],
            "venue_address": data["venue_address"],
            "time_zone": data["time_zone"],
            "contact_email": data["contact_email"],
            "start_date": start,
            "end_date": end,
            "is_demo": True,
        },
    )
    for checkpoint in demo_data.CHECKPOINTS:
        upsert(
            Checkpoint,
            {"assembly": assembly, "code": checkpoint["code"]},
            {
                "name": checkpoint["name"],
                "kind": checkpoint["kind"],
                "is_voting": checkpoint["is_voting"],
            },
        )
    return assembly


def load_staff(assembly: Assembly) -> None:
    for person in demo_data.STAFF:
        first, _sep, last = person["full_name"].partition(" ")
        user, created = User.objects.get_or_create(
            username=person["username"],
            defaults={"first_name": first, "last_name": last, "is_staff": True},
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        if person["role"] == "secretariat" and not user.is_superuser:
            # The secretariat runs the back office, so it gets the whole admin.
            user.is_superuser = True
            user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        StaffRole.objects.get_or_create(assembly=assembly, user=user, role=person["role"])


def load_demo(*, original_dates: bool = False, today: date | None = None) -> Assembly:
    """Create or update the WeGO demo assembly and everything each app adds to it."""
    data = demo_data.ASSEMBLY
    tz_today = today or Assembly(time_zone=data["time_zone"]).local_today()
    start, end = assembly_dates(original_dates=original_dates, today=tz_today)
    with transaction.atomic():
        load_members()
        assembly = load_assembly(start=start, end=end)
        load_staff(assembly)
        for loader in APP_LOADERS:
            import_string(loader)(assembly)
    return assembly


def demo_day(assembly: Assembly, day: int) -> date:
    """The date of programme day `day` (0 = first day) of the demo assembly."""
    return assembly.start_date + timedelta(days=day)
