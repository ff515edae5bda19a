"""The voting demo: bodies, draft polls, idempotence; simulate_voting moves the numbers."""

import pytest
from django.core.management import call_command

from assembly.demo import load_demo
from voting.demo_data import MOTIONS
from voting.models import AuditEntry, GoverningBody, Motion, Poll, PollState
from voting.selectors import quorum_snapshot

pytestmark = pytest.mark.django_db


class TestTheLoadedDemo:
    """Read from one load of the demo (what a test changes is rolled back after it)."""

    def test_demo_has_the_general_assembly_and_the_executive_committee(self, loaded_demo):
        ga = GoverningBody.objects.get(assembly=loaded_demo, code="ga")
        excom = GoverningBody.objects.get(assembly=loaded_demo, code="excom")
        assert quorum_snapshot(ga)["eligible"] == 151
        assert quorum_snapshot(excom)["eligible"] == 22

    def test_demo_motions_are_draft_polls_with_the_reports_candidates(self, loaded_demo):
        assert Motion.objects.filter(assembly=loaded_demo).count() == len(MOTIONS) == 11
        assert set(Poll.objects.filter(assembly=loaded_demo).values_list("state", flat=True)) == {
            "draft"
        }
        vice = Motion.objects.get(code="ga-vice-president-cities")
        assert [c.name for c in vice.candidates.all()] == ["Kampala", "São Paulo", "Ulaanbaatar"]
        assert vice.candidates.first().member.name == "Kampala"
        excom_titles = set(
            Motion.objects.filter(body__code="excom").values_list("title", flat=True)
        )
        assert "Approve three new Regional Offices" in excom_titles

    def test_loading_the_demo_twice_changes_nothing(self, loaded_demo):
        rows = (Motion.objects.count(), Poll.objects.count(), AuditEntry.objects.count())
        load_demo()
        assert (Motion.objects.count(), Poll.objects.count(), AuditEntry.objects.count()) == rows

    def test_simulate_voting_checks_in_opens_casts_and_publishes(self, loaded_demo, capsys):
        call_command("simulate_voting", seconds=0, turnout=1.0, seed=1)
        out = capsys.readouterr().out
        assert "quorum 151/151 (reached)" in out
        poll = Poll.objects.get(motion__code="ga-president-city")
        assert poll.state == PollState.PUBLISHED
        assert poll.turnout == 151
        assert poll.result["cast"] == 151
        call_command("verify_audit")
        assert "0 problems" in capsys.readouterr().out
