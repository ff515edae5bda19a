"""Visa letters: a PDF for approved delegates who asked, a public check showing little."""

import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from registration.errors import LetterNotAvailable
from registration.letters import verification_url, visa_letter_pdf
from registration.services import issue_visa_letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def traveller(make_delegate):
    return make_delegate(
        full_name="Айгерим Сейткали",
        needs_visa_letter=True,
        passport_name="SEITKALI AIGERIM",
        passport_number="N12345678",
        nationality="Kazakhstan",
        date_of_birth=date(1985, 3, 14),
        arrival_date=date(2030, 5, 3),
        departure_date=date(2030, 5, 8),
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_letter_pdf_carries_reference_passport_details_and_verification_link(
    traveller, secretariat_user
):
    letter = issue_visa_letter(delegate=traveller, by=secretariat_user)
    data = visa_letter_pdf(letter)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert letter.reference in text
    assert "N12345678" in text
    assert "SEITKALI AIGERIM" in text
    assert "Kazakhstan" in text
    assert letter.token in text.replace("\n", "")  # the QR's address is also printed


def test_issuing_twice_keeps_one_letter_and_reference(traveller):
    first = issue_visa_letter(delegate=traveller, by=None)
    assert issue_visa_letter(delegate=traveller, by=None).reference == first.reference


@pytest.mark.parametrize(
    "change",
    [{"state": "submitted"}, {"needs_visa_letter": False}, {"passport_number": ""}],
)
def test_letter_is_refused_unless_approved_asked_for_and_complete(traveller, change):
    for name, value in change.items():
        setattr(traveller, name, value)
    traveller.save()
    with pytest.raises(LetterNotAvailable) as exc:
        issue_visa_letter(delegate=traveller, by=None)
    assert exc.value.code == "letter_not_available"


def test_public_check_shows_name_nationality_dates_reference_and_nothing_else(client, traveller):
    letter = issue_visa_letter(delegate=traveller, by=None)
    response = client.get(verification_url(letter).replace("http://testserver", ""))
    body = response.content.decode()
    assert response.status_code == 200
    for shown in ("genuine", letter.reference, "SEITKALI AIGERIM", "Kazakhstan"):
        assert shown in body
    for hidden in ("N12345678", "1985", traveller.email):
        assert hidden not in body


def test_public_check_of_unknown_or_withdrawn_letter_says_so(client, assembly, traveller):
    url = reverse("registration:visa-verify", args=[assembly.slug, "forged-token"])
    assert client.get(url).status_code == 404
    # A NUL byte in the address is refused before any view runs (PostgreSQL cannot take it).
    assert client.get(f"/a/{assembly.slug}/visa-letters/forged%00/").status_code == 400
    letter = issue_visa_letter(delegate=traveller, by=None)
    traveller.state = "cancelled"
    traveller.save()
    response = client.get(verification_url(letter).replace("http://testserver", ""))
    assert response.status_code == 404
    assert "SEITKALI" not in response.content.decode()


def test_delegate_downloads_their_letter_once_issued(traveller, assembly):
    from tests.conftest import client_for

    client = client_for(traveller.user)
    url = reverse("registration:my-visa-letter", args=[assembly.slug])
    assert client.get(url).status_code == 404
    home = client.get(reverse("delegate-home", args=[assembly.slug])).content.decode()
    assert "preparing your visa letter" in home
    issue_visa_letter(delegate=traveller, by=None)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    home = client.get(reverse("delegate-home", args=[assembly.slug])).content.decode()
    assert "Your visa invitation letter is ready." in home


def test_passport_details_never_appear_on_delegate_or_secretariat_pages(
    traveller, assembly, secretariat_client
):
    from tests.conftest import client_for

    client = client_for(traveller.user)
    pages = [
        client.get(reverse("delegate-home", args=[assembly.slug])),
        client.get(reverse("registration:tours", args=[assembly.slug])),
        secretariat_client.get(reverse("registration:detail", args=[assembly.slug, traveller.pk])),
        secretariat_client.get(reverse("registration:queue", args=[assembly.slug])),
        secretariat_client.get(reverse("registration:export", args=[assembly.slug])),
    ]
    for response in pages:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"N12345678" not in body


def test_secretariat_issues_and_opens_the_letter_from_the_detail_page(
    traveller, assembly, secretariat_client
):
    url = reverse("registration:issue-letter", args=[assembly.slug, traveller.pk])
    assert secretariat_client.post(url).status_code == 302
    pdf = secretariat_client.get(
        reverse("registration:letter-pdf", args=[assembly.slug, traveller.pk])
    )
    assert "N12345678" in pdf_text(pdf.content)


def test_another_delegate_cannot_fetch_the_letter_pdf(traveller, assembly, delegate_client):
    issue_visa_letter(delegate=traveller, by=None)
    url = reverse("registration:letter-pdf", args=[assembly.slug, traveller.pk])
    assert delegate_client.get(url).status_code == 403


def test_letter_pdf_of_an_id_beyond_64_bits_is_not_found(assembly, secretariat_client):
    url = reverse("registration:letter-pdf", args=[assembly.slug, 2**63])
    assert secretariat_client.get(url).status_code == 404
