"""Quorum follows accreditation changes made by the secretariat, in the same transaction."""

import pytest
from django.utils import timezone

from registration.models import AccreditationKind, RegistrationState
from registration.services import accredit, change_state, end_accreditation
from tests.factories import DelegateFactory
from voting.models import BodyQuorum
from voting.presence import record_hall_entry

pytestmark = pytest.mark.django_db


def present_count(body) -> int:
    return BodyQuorum.objects.get(body=body).present


def test_accrediting_a_delegate_already_in_the_hall_makes_the_member_present(
    assembly, body, voters, secretariat_user
):
    member = voters[0].member
    newcomer = DelegateFactory(assembly=assembly, member=member)
    record_hall_entry(delegate=newcomer, at=timezone.now())
    assert present_count(body) == 0
    accredit(
        assembly=assembly,
        member=member,
        delegate=newcomer,
        kind=AccreditationKind.VOTING,
        by=secretariat_user,
    )
    assert present_count(body) == 1


def test_ending_the_present_delegates_accreditation_makes_the_member_absent(
    assembly, body, present_voters, secretariat_user
):
    assert present_count(body) == 5
    accreditation = present_voters[0].accreditations.get(ended_at__isnull=True)
    end_accreditation(accreditation=accreditation, by=secretariat_user, reason="Left early")
    assert present_count(body) == 4


def test_cancelling_a_present_voting_delegates_registration_lowers_the_count(
    assembly, body, present_voters, secretariat_user
):
    change_state(
        delegate=present_voters[1], to_state=RegistrationState.CANCELLED, by=secretariat_user
    )
    assert present_count(body) == 4
