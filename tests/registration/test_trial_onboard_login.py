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


def test_a_vote_sent_after_the_session_ended_lands_on_a_login_page_that_says_so(client, assembly):
    # The session ended (logout, expiry) while the confirm page stayed open on the phone.
    confirm = reverse("voting-confirm", args=[assembly.slug, 1])
    page = client.post(confirm, {"choice": "yes"}, follow=True).content.decode()
    assert "You were logged out, so what you last sent was not saved." in page
    first_visit = client.get(confirm, follow=True).content.decode()
    assert "not saved" not in first_visit
