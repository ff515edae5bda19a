"""The login page says a form was lost only when one was; a first visit is asked to log in."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_first_visit_to_the_vote_page_is_asked_to_log_in_without_a_warning(client, assembly):
    page = client.get(reverse("voting-ballot", args=[assembly.slug]), follow=True).content.decode()
    assert "Log in to continue." in page
    assert "not saved" not in page


def test_a_form_lost_to_an_ended_session_is_said_not_saved(client, assembly):
    url = reverse("login") + "?next=/a/ga/vote/&unsaved=1"
    page = client.get(url).content.decode()
    assert "You were logged out, so what you last sent was not saved." in page
