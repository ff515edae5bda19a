"""An absolute quorum number (the General Assembly's) never asks another body for more members
than it has."""

import pytest
from django.utils import timezone

from assembly.models import Assembly, QuorumKind
from tests.conftest import client_for
from tests.voting.factories import electorate_of
from voting.live import live_labels
from voting.models import BodyKind
from voting.presence import record_hall_entry, recount_assembly_quorum
from voting.selectors import quorum_snapshot
from voting.services import create_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def absolute_eight(assembly):
    Assembly.objects.filter(pk=assembly.pk).update(
        quorum_kind=QuorumKind.ABSOLUTE, quorum_absolute=8
    )
    assembly.refresh_from_db()
    return assembly


@pytest.fixture
def council(absolute_eight, body):
    """A seven-member Council beside a General Assembly, every member present."""
    delegates = electorate_of(absolute_eight, 7)
    council = create_body(
        assembly=absolute_eight,
        code="council",
        name="Council",
        kind=BodyKind.LISTED,
        members=[d.member for d in delegates],
    )
    for delegate in delegates:
        record_hall_entry(delegate=delegate, at=timezone.now())
    recount_assembly_quorum(assembly=absolute_eight)
    return council


def test_a_body_smaller_than_the_quorum_number_reaches_quorum_with_all_present(council):
    quorum = quorum_snapshot(council)
    assert (quorum["present"], quorum["eligible"], quorum["needed"]) == (7, 7, 7)
    assert quorum["reached"]


def test_the_general_assembly_still_needs_the_full_number(council, body):
    quorum = quorum_snapshot(body)
    assert (quorum["present"], quorum["eligible"], quorum["needed"]) == (7, 12, 8)
    assert quorum["needed_note"] == ""
    assert quorum["reached"] is False


def test_console_says_why_a_body_needs_fewer_than_the_number(assembly, council, chair_user):
    page = client_for(chair_user).get(f"/a/{assembly.slug}/polls/console/").content.decode()
    assert "7 of 7 voting members present, 7 needed" in page
    assert "the assembly&#x27;s quorum of 8 is more than this body has" in page
    assert "8 needed" in page  # the General Assembly's line


def test_live_line_carries_the_note(council):
    quorum = quorum_snapshot(council)
    line = live_labels()["quorum_line"].format(**quorum)
    assert line == (
        "7 of 7 voting members present, 7 needed (all of them: the assembly's quorum of 8 is"
        " more than this body has)"
    )


def test_an_empty_body_needs_nobody_and_says_it_has_no_members(absolute_eight, body):
    empty = create_body(assembly=absolute_eight, code="empty", name="Empty", kind=BodyKind.LISTED)
    quorum = quorum_snapshot(empty)
    assert (quorum["eligible"], quorum["needed"], quorum["reached"]) == (0, 0, False)
    assert quorum["needed_note"] == " (this body has no voting members)"
