"""A delegate's address changed in the admin (found by a tester): stored in its normal form,
never another person's, in plain words and never a 500; a login link never picks one of two
accounts that share an address."""

import pytest
from django.core import mail
from django.urls import reverse

from assembly.services import send_magic_link
from registration.models import Delegate
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


def change_address(client, delegate: Delegate, email: str):
    data = {
        "member": delegate.member_id or "",
        "user": delegate.user_id or "",
        "full_name": delegate.full_name,
        "email": email,
        "role": delegate.role,
        "attendance": delegate.attendance,
        "source": delegate.source,
    }
    url = reverse("admin:registration_delegate_change", args=[delegate.pk])
    return client.post(url, data)


@pytest.fixture
def kim(make_delegate):
    return make_delegate(full_name="Kim Seo-yeon", email="kim.seoyeon@seoul.example")


@pytest.fixture
def lee(make_delegate):
    return make_delegate(full_name="Lee Min-ho", email="lee@seoul.example")


def test_the_admin_stores_an_address_in_the_form_registration_does(office_client, lee):
    response = change_address(office_client, lee, "Lee.MinHo@SEOUL.example")
    assert response.status_code == 302
    lee.refresh_from_db()
    assert lee.email == "lee.minho@seoul.example"


@pytest.mark.parametrize("typed", ["KIM.SEOYEON@SEOUL.EXAMPLE", "kim.seoyeon@seoul.example"])
def test_the_admin_refuses_another_registrations_address_in_any_spelling(
    office_client, kim, lee, typed
):
    response = change_address(office_client, lee, typed)
    assert response.status_code == 200
    assert (
        "Kim Seo-yeon is already registered at this assembly with kim.seoyeon@seoul.example: "
        "two registrations cannot share one address."
    ) in response.content.decode()
    lee.refresh_from_db()
    assert lee.email == "lee@seoul.example"


def test_the_admin_refuses_the_address_of_another_persons_login_at_another_assembly(
    office_client, other_assembly, lee
):
    DelegateFactory(
        assembly=other_assembly, full_name="Kim Seo-yeon", email="kim.seoyeon@seoul.example"
    )
    response = change_address(office_client, lee, "Kim.Seoyeon@seoul.example")
    assert response.status_code == 200
    assert (
        "kim.seoyeon@seoul.example is the login address of Kim Seo-yeon (registered at "
        "Another Assembly): a login link sent to it would open their account, not this one."
    ) in response.content.decode()


def test_the_same_person_keeps_one_address_across_assemblies(office_client, other_assembly, lee):
    DelegateFactory(assembly=other_assembly, user=lee.user, email="lee.minho@seoul.example")
    assert change_address(office_client, lee, "LEE.MINHO@seoul.example").status_code == 302


def test_a_login_link_is_not_sent_for_an_address_two_accounts_share(assembly, kim, lee, caplog):
    # Stored before the admin refused it: Lee's registration with a case variant of Kim's.
    Delegate.objects.filter(pk=lee.pk).update(email="KIM.SEOYEON@SEOUL.EXAMPLE")
    assert send_magic_link(email="kim.seoyeon@seoul.example", assembly=assembly) is False
    (message,) = mail.outbox
    assert message.to == ["kim.seoyeon@seoul.example"]
    assert "sent none" in message.body
    assert "sesame" not in message.body
    assert "of different logins" in caplog.text


def test_a_login_link_opens_the_one_account_of_its_address(assembly, kim, lee):
    assert send_magic_link(email="KIM.SEOYEON@seoul.example", assembly=assembly) is True
    (message,) = mail.outbox
    assert message.to == ["kim.seoyeon@seoul.example"]
