"""The admin is a back office, not a way around the rules (found by a tester as a secretariat
with every model permission but no superuser flag)."""

import base64
import pickle

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse
from mailer.models import Message

from assembly.models import ApiToken, Checkpoint, Role, StaffRole
from assembly.services import issue_api_token
from tests.factories import AssemblyFactory, UserFactory

pytestmark = pytest.mark.django_db


class RunsCode:
    def __reduce__(self):
        return (print, ("pwned",))


def test_a_stored_email_cannot_be_added_or_edited_and_its_body_is_not_shown(
    office_client, settings
):
    email = EmailMessage(
        "Your login link", "https://x.example/login/link/?token=SECRET", None, ["a@x.example"]
    )
    message = Message.objects.create(message_data=base64.encodebytes(pickle.dumps(email)).decode())
    assert office_client.get(reverse("admin:mailer_message_add")).status_code == 403
    forged = base64.encodebytes(pickle.dumps(RunsCode())).decode()
    change = reverse("admin:mailer_message_change", args=[message.pk])
    office_client.post(change, {"message_data": forged, "priority": 2})
    message.refresh_from_db()
    assert message.email.body.endswith("token=SECRET")  # unchanged
    page = office_client.get(change).content.decode()
    assert "a@x.example" in page
    assert "Your login link" in page
    assert "SECRET" not in page
    listing = office_client.get(reverse("admin:mailer_messagelog_changelist"))
    assert listing.status_code == 200
    assert office_client.get(reverse("admin:mailer_messagelog_add")).status_code == 403


def test_send_again_now_puts_a_deferred_email_back_in_the_queue(office_client):
    email = EmailMessage("Approved", "Welcome", None, ["a@x.example"])
    message = Message.objects.create(message_data=base64.encodebytes(pickle.dumps(email)).decode())
    message.defer()
    changelist = reverse("admin:mailer_message_changelist")
    data = {"action": "send_again_now", "_selected_action": [message.pk]}
    office_client.post(changelist, data)
    assert Message.objects.non_deferred().filter(pk=message.pk).exists()


def test_a_staff_member_cannot_hand_their_api_token_to_a_superuser(office_client, office_user):
    boss = UserFactory(username="boss", is_superuser=True, is_staff=True)
    token, _raw = issue_api_token(user=office_user, name="Desk laptop")
    change = reverse("admin:assembly_apitoken_change", args=[token.pk])
    response = office_client.post(change, {"user": boss.pk, "revoked_at_0": "", "revoked_at_1": ""})
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.user == office_user


def test_a_secretariat_sees_and_edits_only_its_own_assemblies(office_client, assembly):
    other = AssemblyFactory(slug="far-ga", time_zone="Pacific/Auckland")
    theirs = Checkpoint.objects.create(assembly=other, code="hall", name="Their hall")
    listing = office_client.get(reverse("admin:assembly_checkpoint_changelist")).content.decode()
    assert "Their hall" not in listing
    change = office_client.get(reverse("admin:assembly_checkpoint_change", args=[theirs.pk]))
    assert change.status_code == 302  # "does not exist", as the admin says of objects it hides
    add = reverse("admin:assembly_staffrole_add")
    response = office_client.post(
        add, {"assembly": other.pk, "user": UserFactory().pk, "role": Role.CHAIR}
    )
    assert response.status_code == 200  # the form again, with the choice refused
    assert not StaffRole.objects.filter(assembly=other).exists()


@pytest.mark.parametrize(
    "name",
    [
        "registration_registrationevent",
        "registration_toursignup",
        "badges_badgebatch",
        "registration_visaletter",
        "registration_waitlistmove",
        "registration_delegate",
    ],
)
def test_records_the_pages_make_are_not_added_in_the_admin(office_client, name):
    # An empty add form had answered 500; a forged visa letter or waiting-list move was kept.
    assert office_client.post(reverse(f"admin:{name}_add"), {}).status_code == 403


def test_api_tokens_are_not_listed_to_staff(office_client):
    assert office_client.get(reverse("admin:assembly_apitoken_changelist")).status_code == 403
    assert ApiToken.objects.count() == 0
