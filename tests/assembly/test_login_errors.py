"""Login forms with an error: each field says it is invalid and names the message that says why."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def tag(html: str, element_id: str) -> str:
    return re.search(rf'<(?:input|textarea)[^>]*id="{element_id}"[^>]*>', html).group(0)


def described_by(html: str, element_id: str) -> list[str]:
    """The text of each element the field's aria-describedby names (None for a missing id)."""
    field = tag(html, element_id)
    ids = re.search(r'aria-describedby="([^"]*)"', field).group(1).split()
    texts = []
    for one in ids:
        found = re.search(rf'<(\w+)[^>]*\bid="{one}"[^>]*>(.*?)</\1>', html, re.DOTALL)
        texts.append(re.sub(r"<[^>]+>|\s+", " ", found.group(2)).strip() if found else None)
    return texts


def test_a_bad_email_is_marked_invalid_and_names_its_error_and_help(client):
    html = client.post(reverse("magic-link-request"), {"email": "not-an-address"}).content.decode()
    assert 'aria-invalid="true"' in tag(html, "id_email")
    texts = described_by(html, "id_email")
    assert None not in texts
    assert "Enter a valid email address." in texts
    assert "The address you registered with. We email you a login link." in texts


def test_a_wrong_staff_password_marks_both_fields_and_names_the_message(client, chair_user):
    response = client.post(reverse("login"), {"username": chair_user.username, "password": "no"})
    html = response.content.decode()
    for field in ("id_username", "id_password"):
        assert 'aria-invalid="true"' in tag(html, field)
        (message,) = described_by(html, field)
        assert "Please enter a correct username and password" in message
    # The summary forms.js focuses on load, as on the registration form.
    assert re.search(r'id="error-summary"[^>]*tabindex="-1"', html)
    assert "<title>Error: Log in" in html


def test_a_staff_login_without_errors_marks_nothing(client):
    html = client.get(reverse("login")).content.decode()
    assert "aria-invalid" not in html
    assert 'id="error-summary"' not in html
