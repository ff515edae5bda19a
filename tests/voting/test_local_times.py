"""The voting PDFs of an assembly far from UTC print its own local times."""

from datetime import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from pypdf import PdfReader

from tests.voting.test_pages import publish_with_votes
from voting.models import Poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def auckland(assembly):
    assembly.time_zone = "Pacific/Auckland"
    assembly.save()
    return assembly


@pytest.fixture
def poll_opened_at_18_28(auckland, open_secret_poll, present_voters, chair_user):
    publish_with_votes(open_secret_poll, present_voters, chair_user, ["yes"] * 5)
    Poll.objects.filter(pk=open_secret_poll.pk).update(
        opened_at=datetime(2026, 11, 28, 18, 28, tzinfo=auckland.zone),
        closed_at=datetime(2026, 11, 28, 18, 41, tzinfo=auckland.zone),
    )
    return open_secret_poll


def pdf_text(response) -> str:
    """The PDF's words with each line break as a space: where a line wraps depends on the clock."""
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_result_sheet_prints_when_the_poll_opened_and_closed_in_local_time(
    chair_client, poll_opened_at_18_28
):
    url = reverse("voting-results-pdf", args=["ga", poll_opened_at_18_28.pk])
    text = pdf_text(chair_client.get(url))
    assert "Opened: Nov. 28, 2026, 6:28 p.m. · Closed: Nov. 28, 2026, 6:41 p.m." in text


def test_minutes_print_poll_times_and_when_they_were_generated_in_local_time(
    chair_client, auckland, poll_opened_at_18_28
):
    before = timezone.localtime(timezone.now(), auckland.zone)
    text = pdf_text(chair_client.get(reverse("voting-minutes-pdf", args=["ga"])))
    after = timezone.localtime(timezone.now(), auckland.zone)
    assert "Opened: Nov. 28, 2026, 6:28 p.m." in text
    assert any(
        f"generated {formats.date_format(moment, 'DATETIME_FORMAT')}" in text
        for moment in (before, after)
    )


def test_result_sheet_and_minutes_name_the_time_zone_of_their_times(
    chair_client, poll_opened_at_18_28
):
    sheet = pdf_text(
        chair_client.get(reverse("voting-results-pdf", args=["ga", poll_opened_at_18_28.pk]))
    )
    minutes = pdf_text(chair_client.get(reverse("voting-minutes-pdf", args=["ga"])))
    assert "Times in Pacific/Auckland." in sheet
    assert "Times in Pacific/Auckland." in minutes.split("Adopt the agenda")[0]
