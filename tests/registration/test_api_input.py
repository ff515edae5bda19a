"""Registration API input a tester sent: nulls, lone surrogates, over-long text, huge bodies."""

import json

import pytest
from django.urls import reverse

from registration.models import Accreditation, RegistrationEvent

pytestmark = pytest.mark.django_db


def patch_me(client, assembly, body: str):
    url = reverse("api:update_my_registration", kwargs={"slug": assembly.slug})
    return client.patch(url, data=body, content_type="application/json")


@pytest.mark.parametrize(
    "body",
    [
        {"full_name": None},
        {"title": None},
        {"phone": None},
        {"needs_visa_letter": None},
        {"needs_visa_letter": "yes"},  # the form asks for the passport details with it
        {"needs_visa_letter": True, "passport_name": "KIM SEO YEON"},
    ],
)
def test_a_detail_the_registration_cannot_take_is_422_and_changes_nothing(
    delegate_client, assembly, delegate, body
):
    before = {name: getattr(delegate, name) for name in ("full_name", "title", "phone")}
    response = patch_me(delegate_client, assembly, json.dumps(body))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    delegate.refresh_from_db()
    assert {name: getattr(delegate, name) for name in before} == before
    assert not delegate.needs_visa_letter


def test_a_lone_surrogate_is_422_not_a_server_error(delegate_client, assembly, delegate):
    response = patch_me(delegate_client, assembly, '{"title": "\\ud800"}')
    assert response.status_code == 422
    assert "surrogate" in response.json()["detail"]


def test_the_visa_letter_with_every_passport_detail_is_taken(delegate_client, assembly, delegate):
    body = {
        "needs_visa_letter": True,
        "passport_name": "KIM SEO YEON",
        "passport_number": "M12345678",
        "nationality": "Korean",
        "date_of_birth": "1980-05-01",
    }
    assert patch_me(delegate_client, assembly, json.dumps(body)).status_code == 200


def test_a_body_of_unknown_keys_is_answered_with_twenty_of_them_and_the_count(
    delegate_client, assembly, delegate
):
    body = json.dumps({f"key{n}": 1 for n in range(5000)})
    response = patch_me(delegate_client, assembly, body)
    assert response.status_code == 422
    data = response.json()
    assert len(data["errors"]) == 20
    assert "20 of 5000" in data["detail"]
    assert len(response.content) < 20_000


def test_a_body_past_the_upload_limit_is_answered_in_json(
    delegate_client, assembly, delegate, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = patch_me(delegate_client, assembly, json.dumps({"title": "x" * 2000}))
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_an_over_long_accreditation_reason_is_refused_not_cut(
    secretariat_client, assembly, delegate
):
    url = reverse("api:accredit_delegate", kwargs={"slug": assembly.slug})
    body = {"delegate_id": delegate.pk, "kind": "voting", "reason": "r" * 5000}
    response = secretariat_client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert not Accreditation.objects.filter(delegate=delegate).exists()


def test_an_over_long_approval_note_is_refused_not_cut(secretariat_client, assembly, make_delegate):
    submitted = make_delegate(state="submitted")
    url = reverse(
        "api:approve_registration", kwargs={"slug": assembly.slug, "delegate_id": submitted.pk}
    )
    response = secretariat_client.post(
        url, json.dumps({"note": "n" * 100_000}), content_type="application/json"
    )
    assert response.status_code == 422
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    assert not RegistrationEvent.objects.filter(delegate=submitted, to_state="approved").exists()


def test_a_birth_date_that_is_already_today_in_the_pacific_is_not_called_future(
    delegate_client, assembly, delegate, monkeypatch
):
    from datetime import UTC, datetime

    # 20:00 UTC on 28 November is 29 November in Samoa and Kiritimati (UTC+13, UTC+14).
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
    )
    visa = {
        "needs_visa_letter": True,
        "passport_name": "TUILAEPA SINA",
        "passport_number": "S1234567",
        "nationality": "Samoan",
    }
    newborn = patch_me(
        delegate_client, assembly, json.dumps({**visa, "date_of_birth": "2026-11-29"})
    )
    assert newborn.status_code == 200, newborn.content
    tomorrow_everywhere = patch_me(
        delegate_client, assembly, json.dumps({**visa, "date_of_birth": "2026-11-30"})
    )
    assert tomorrow_everywhere.status_code == 422
    delegate.refresh_from_db()
    assert str(delegate.date_of_birth) == "2026-11-29"
