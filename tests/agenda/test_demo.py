"""The demo programme: the three days of the 6th General Assembly, dated from the assembly."""

from datetime import date, time

import pytest

from assembly.demo import load_demo
from sessions.models import AgendaItem, Room, Session, Speaker


@pytest.mark.django_db
class TestTheLoadedDemo:
    """Read from one load of the demo dated 27 November 2026 (what a test changes is rolled
    back after it)."""

    demo_options = {"today": date(2026, 11, 27)}

    def test_demo_programme_is_dated_from_the_first_day_in_seoul_time(self, loaded_demo):
        assembly = loaded_demo
        ga = Session.objects.get(assembly=assembly, code="ga-session")
        local = ga.starts_at.astimezone(assembly.zone)
        assert local.date() == date(2026, 11, 28)
        assert local.time() == time(9, 30)
        assert ga.visibility == "members"
        assert [i.number for i in AgendaItem.objects.filter(session=ga)] == [
            str(n) for n in range(1, 9)
        ]
        prize = Session.objects.get(assembly=assembly, code="smart-city-prize")
        assert {s.name for s in prize.speakers.all()} >= {"Oh Se-hoon", "PSY"}
        assert Room.objects.get(assembly=assembly, code="grand-ballroom").checkpoint.code == (
            "plenary-hall"
        )
        assert Session.objects.filter(assembly=assembly, kind="tour").count() == 5

    def test_loading_the_demo_twice_changes_nothing(self, loaded_demo):
        before = list(Session.objects.values_list("code", "sequence", "changed_at", "starts_at"))
        counts = (Room.objects.count(), Speaker.objects.count(), AgendaItem.objects.count())
        load_demo(today=date(2026, 11, 27))
        after = list(Session.objects.values_list("code", "sequence", "changed_at", "starts_at"))
        assert before == after
        assert counts == (Room.objects.count(), Speaker.objects.count(), AgendaItem.objects.count())

    def test_redating_the_demo_gives_calendars_a_new_revision(self, loaded_demo):
        load_demo(today=date(2026, 11, 28))
        ga = Session.objects.get(code="ga-session")
        assert ga.sequence == 1
        assert ga.starts_at.astimezone(ga.assembly.zone).date() == date(2026, 11, 29)
