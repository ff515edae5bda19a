"""The demo loader: WeGO's 202 members by kind and region, rules, staff, idempotence."""

from collections import Counter
from datetime import date

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from assembly.demo import load_demo
from assembly.models import Assembly, Checkpoint, MemberOrganization, StaffRole

pytestmark = pytest.mark.django_db


class TestTheLoadedDemo:
    """Read from one load of the demo."""

    def test_demo_loads_the_202_wego_members_by_kind(self, loaded_demo):
        kinds = Counter(MemberOrganization.objects.values_list("kind", flat=True))
        assert MemberOrganization.objects.count() == 202
        assert kinds == {"local_government": 164, "institution": 18, "corporation": 20}

    def test_demo_local_governments_match_the_report_by_region(self, loaded_demo):
        regions = Counter(
            MemberOrganization.objects.filter(kind="local_government").values_list(
                "region", flat=True
            )
        )
        assert regions == {
            "africa": 27,
            "europe": 16,
            "mena": 29,
            "americas": 15,
            "asia_pacific": 77,
        }

    def test_demo_names_real_members_with_countries_and_populations(self, loaded_demo):
        seoul = MemberOrganization.objects.get(name="Seoul")
        assert seoul.country == "Korea"
        assert seoul.population > 9_000_000
        assert MemberOrganization.objects.get(name="São Paulo").region == "americas"
        assert MemberOrganization.objects.get(name="Beyoğlu").country == "Türkiye"

    def test_demo_has_one_voting_checkpoint_and_every_staff_role(self, loaded_demo):
        voting = Checkpoint.objects.filter(assembly=loaded_demo, is_voting=True)
        assert [c.code for c in voting] == ["plenary-hall"]
        roles = set(StaffRole.objects.filter(assembly=loaded_demo).values_list("role", flat=True))
        assert roles == {"secretariat", "desk", "chair"}

    def test_demo_electorate_is_the_dues_paying_full_local_governments(self, loaded_demo):
        electorate = MemberOrganization.objects.filter(loaded_demo.voting_member_filter())
        assert 0 < electorate.count() < 164
        assert not electorate.exclude(kind="local_government").exists()
        assert not electorate.filter(dues_paid=False).exists()


def test_demo_assembly_starts_today_in_seoul_by_default():
    assembly = load_demo(today=date(2030, 5, 4))
    assert assembly.time_zone == "Asia/Seoul"
    assert (assembly.start_date, assembly.end_date) == (date(2030, 5, 4), date(2030, 5, 6))


def test_demo_can_use_the_original_september_2023_dates():
    assembly = load_demo(original_dates=True)
    assert (assembly.start_date, assembly.end_date) == (date(2023, 9, 25), date(2023, 9, 27))


def dump_everything() -> str:
    rows = []
    for model in apps.get_models():
        bookkeeping = model._meta.app_label in {"sessions", "admin", "contenttypes", "auth"}
        if bookkeeping and model._meta.model_name != "user":
            continue
        rows.append(serializers.serialize("json", model.objects.order_by("pk")))
    return "\n".join(rows)


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", stdout=None)
    before = dump_everything()
    call_command("load_demo")
    assert dump_everything() == before
    assert Assembly.objects.count() == 1
