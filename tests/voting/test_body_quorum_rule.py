"""A body's own quorum rule: a council's statutes may ask for another share than the assembly's."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assembly.models import QuorumKind
from tests.voting.factories import electorate_of
from voting.models import BodyKind, GoverningBody, QuorumStatus
from voting.presence import record_hall_entry, recount_assembly_quorum, recount_quorum
from voting.selectors import quorum_snapshot
from voting.services import create_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(assembly, body):
    """Nine members, six of them present; the assembly's rule is half of the members."""
    delegates = electorate_of(assembly, 9)
    council = create_body(
        assembly=assembly,
        code="council",
        name="Council",
        kind=BodyKind.LISTED,
        members=[d.member for d in delegates],
    )
    for delegate in delegates[:6]:
        record_hall_entry(delegate=delegate, at=timezone.now())
    recount_assembly_quorum(assembly=assembly)
    return council


def set_rule(body: GoverningBody, **rule) -> dict:
    GoverningBody.objects.filter(pk=body.pk).update(**rule)
    body.refresh_from_db()
    recount_quorum(body=body)
    return quorum_snapshot(body)


def test_without_its_own_rule_a_body_takes_the_assembly_s(council):
    quorum = quorum_snapshot(council)
    assert (quorum["present"], quorum["eligible"], quorum["needed"]) == (6, 9, 5)
    assert quorum["reached"]


def test_a_two_thirds_rule_of_its_own_needs_six_of_nine(council):
    quorum = set_rule(council, quorum_kind=QuorumKind.FRACTION, quorum_fraction="0.6667")
    assert quorum["needed"] == 6
    assert quorum["reached"]


def test_an_absolute_number_of_its_own_is_not_capped_and_is_not_reached(council):
    quorum = set_rule(council, quorum_kind=QuorumKind.ABSOLUTE, quorum_absolute=7)
    assert quorum["needed"] == 7
    assert quorum["needed_note"] == ""
    assert quorum["reached"] is False
    assert quorum["status"] == QuorumStatus.LOST  # it had been reached by the assembly's rule


def test_the_general_assembly_keeps_the_assembly_s_rule_beside_a_council_s_own(council, body):
    set_rule(council, quorum_kind=QuorumKind.ABSOLUTE, quorum_absolute=3)
    general = quorum_snapshot(body)
    assert general["needed"] == (general["eligible"] + 1) // 2


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"quorum_kind": QuorumKind.ABSOLUTE}, "quorum_absolute"),
        ({"quorum_kind": QuorumKind.FRACTION}, "quorum_fraction"),
        ({"quorum_absolute": 4}, "quorum_kind"),  # a figure without its rule would be ignored
    ],
)
def test_a_rule_without_its_figure_is_refused(council, rule, field):
    for name, value in rule.items():
        setattr(council, name, value)
    with pytest.raises(ValidationError) as refused:
        council.full_clean()
    assert field in refused.value.message_dict


@pytest.mark.parametrize(
    ("eligible", "typed", "needed"),
    [
        (9, "0.6667", 6),
        (300, "0.6667", 200),
        (600, "0.6667", 400),
        (58, "0.3333", 20),
        (202, "0.5", 101),
        (40, "0.1001", 5),
        (100, "0.501", 51),
    ],
)
def test_a_share_typed_to_four_places_counts_as_the_simple_share_it_stands_for(
    eligible, typed, needed
):
    from assembly.models import fraction_of

    assert fraction_of(eligible, typed) == needed
