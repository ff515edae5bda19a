"""Accreditation: one voting delegate per member at a time, alternates, every change recorded."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from registration.errors import AccreditationRefused
from registration.models import Accreditation
from registration.selectors import voting_delegates_for
from registration.services import accredit, end_accreditation

pytestmark = pytest.mark.django_db


def test_new_voting_delegate_replaces_the_previous_one_and_records_who_and_why(
    assembly, member, delegate, make_delegate, secretariat_user
):
    accredit(assembly=assembly, member=member, delegate=delegate, kind="voting", by=None)
    newcomer = make_delegate(full_name="Lee Min-ho")
    accredit(
        assembly=assembly,
        member=member,
        delegate=newcomer,
        kind="voting",
        by=secretariat_user,
        reason="Head of delegation changed",
    )
    old = Accreditation.objects.get(delegate=delegate)
    assert old.ended_at is not None
    assert (old.ended_by, old.reason) == (secretariat_user, "Head of delegation changed")
    current = voting_delegates_for(member, assembly)
    assert current.voting == newcomer
    assert current.alternates == []


def test_alternates_sit_beside_the_voting_delegate(assembly, member, delegate, make_delegate):
    alternate = make_delegate(role="alternate")
    accredit(assembly=assembly, member=member, delegate=delegate, kind="voting", by=None)
    accredit(assembly=assembly, member=member, delegate=alternate, kind="alternate", by=None)
    result = voting_delegates_for(member, assembly)
    assert (result.voting, result.alternates) == (delegate, [alternate])


def test_promoting_an_alternate_ends_their_alternate_accreditation(
    assembly, member, delegate, make_delegate
):
    alternate = make_delegate(role="alternate")
    accredit(assembly=assembly, member=member, delegate=delegate, kind="voting", by=None)
    accredit(assembly=assembly, member=member, delegate=alternate, kind="alternate", by=None)
    accredit(assembly=assembly, member=member, delegate=alternate, kind="voting", by=None)
    result = voting_delegates_for(member, assembly)
    assert (result.voting, result.alternates) == (alternate, [])


@pytest.mark.parametrize("values", [{"state": "submitted"}, {"member": None}])
def test_only_approved_delegates_of_the_member_are_accredited(
    assembly, member, make_delegate, values
):
    candidate = make_delegate(**values)
    with pytest.raises(AccreditationRefused):
        accredit(assembly=assembly, member=member, delegate=candidate, kind="voting", by=None)
    assert not Accreditation.objects.exists()


def test_database_refuses_two_active_voting_delegates(assembly, member, delegate, make_delegate):
    accredit(assembly=assembly, member=member, delegate=delegate, kind="voting", by=None)
    with pytest.raises(IntegrityError):
        Accreditation.objects.create(
            assembly=assembly, member=member, delegate=make_delegate(), kind="voting"
        )


def test_ended_accreditation_leaves_no_voter(assembly, member, delegate, secretariat_user):
    accreditation = accredit(
        assembly=assembly, member=member, delegate=delegate, kind="voting", by=None
    )
    end_accreditation(accreditation=accreditation, by=secretariat_user, reason="Left early")
    assert voting_delegates_for(member, assembly).voting is None


def test_voting_delegates_for_ignores_other_assemblies(assembly, other_assembly, member, delegate):
    accredit(assembly=assembly, member=member, delegate=delegate, kind="voting", by=None)
    assert voting_delegates_for(member, other_assembly).voting is None


def test_accreditation_page_accredits_and_shows_the_voting_delegate(
    secretariat_client, assembly, delegate
):
    url = reverse("registration:accreditation", args=[assembly.slug])
    secretariat_client.post(url, {"delegate": delegate.pk, "kind": "voting", "reason": "Letter"})
    body = secretariat_client.get(url).content.decode()
    assert "Voting delegate: <strong>Kim Seo-yeon</strong>" in body
    assert Accreditation.objects.get().granted_by.username == "secretariat"


def test_accreditation_page_is_for_the_secretariat_only(delegate_client, assembly, delegate):
    url = reverse("registration:accreditation", args=[assembly.slug])
    response = delegate_client.post(url, {"delegate": delegate.pk, "kind": "voting"})
    assert response.status_code == 403
    assert not Accreditation.objects.exists()


def test_accreditation_page_offers_only_registrations_that_can_carry_a_vote(
    secretariat_client, assembly, delegate, make_delegate
):
    make_delegate(full_name="Pat Observer", role="observer")
    make_delegate(full_name="Alex Alternate", role="alternate")
    url = reverse("registration:accreditation", args=[assembly.slug])
    body = secretariat_client.get(url).content.decode()
    assert ">Alex Alternate</option>" in body
    assert "Pat Observer" not in body
