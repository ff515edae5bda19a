"""A double tap on Confirm on PostgreSQL: the two requests race, one ballot counts, and both
answers carry its receipt code (found by a tester: the second said the code was gone)."""

import re
import threading

import pytest
from django.db import connections
from django.test import Client

from tests.conftest import client_for, requires_postgres
from tests.voting.ballot_steps import choose, confirm_fields, confirm_url
from voting.models import Ballot

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_a_double_tap_on_confirm_counts_once_and_both_answers_show_the_code(
    open_secret_poll, present_voters
):
    phone = client_for(present_voters[0].user)
    fields = confirm_fields(choose(phone, open_secret_poll, "yes").content.decode())
    barrier = threading.Barrier(2)
    answers = []

    def tap():
        same_browser = Client()
        same_browser.cookies = phone.cookies  # the session and the receipt key
        barrier.wait()
        try:
            answers.append(same_browser.post(confirm_url(open_secret_poll), fields))
        finally:
            connections.close_all()

    taps = [threading.Thread(target=tap) for _ in range(2)]
    for thread in taps:
        thread.start()
    for thread in taps:
        thread.join()

    assert Ballot.objects.filter(poll=open_secret_poll).count() == 1
    shown = [re.findall(r'class="receipt-code">([A-Z0-9-]+)<', a.content.decode()) for a in answers]
    assert len(shown[0]) == 1
    assert shown[0] == shown[1]
    assert all("already been counted" not in a.content.decode() for a in answers)
