"""Registration pages in an assembly far from UTC: times are read and shown as its own."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from registration.models import Invitation, RegistrationSettings

AUCKLAND = "Pacific/Auckland"


@pytest.fixture
def auckland(assembly):
    assembly.time_zone = AUCKLAND
    assembly.save()
    return assembly


def test_invitation_expiry_entered_at_20_00_is_stored_and_listed_as_20_00_local(
    secretariat_client, auckland, member
):
    day = auckland.local_today() + timedelta(days=10)
    url = reverse("registration:invitations", args=["ga"])
    response = secretariat_client.post(
        url, {"member": member.pk, "places": 2, "expires_at": f"{day:%Y-%m-%d}T20:00"}
    )
    assert response.status_code == 302
    stored = Invitation.objects.get().expires_at
    assert stored == datetime.combine(day, time(20, 0), tzinfo=auckland.zone)
    page = secretariat_client.get(url).content.decode()
    assert f"{date_format(day, 'N j, Y')}, 8 p.m." in page
    assert "Times in Pacific/Auckland." in page


def test_invitation_form_offers_an_expiry_a_month_ahead_in_local_time(secretariat_client, auckland):
    page = secretariat_client.get(reverse("registration:invitations", args=["ga"])).content.decode()
    expected = timezone.localtime(timezone.now(), auckland.zone) + timedelta(days=30)
    offered = {
        (expected + timedelta(minutes=delta)).strftime('value="%Y-%m-%dT%H:%M"')
        for delta in (-1, 0)
    }
    assert any(value in page for value in offered)


def test_delegate_sees_the_edit_cutoff_in_local_time_with_its_zone(
    delegate_client, auckland, delegate
):
    cutoff = datetime(2099, 11, 28, 20, 0, tzinfo=auckland.zone)
    RegistrationSettings.objects.create(assembly=auckland, edit_cutoff=cutoff)
    page = delegate_client.get(reverse("registration:my-registration", args=["ga"]))
    assert (
        "You can change your details until 28 November 2099, 20:00 (Pacific/Auckland)."
        in page.content.decode()
    )
