"""What a screen reader hears when a form is refused, and on the ballot's confirm step."""

import pytest

from tests.e2e.test_live_room_browser import in_thread, page_for
from tests.e2e.test_phone_ballot_browser import PHONE_360, hall_of, phone_on_ballot
from tests.voting.factories import draft_poll, electorate_of, ga_body, resolution
from voting.services import open_poll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_focused_confirm_button_names_the_motion_when_two_polls_are_open(
    asgi_server, browser, assembly, chair_user
):
    def setup():
        voters, body = hall_of(assembly)
        budget = resolution(body, code="r2")
        budget.title = "Approve the budget"
        budget.save(update_fields=["title"])
        for motion in (resolution(body, code="r1"), budget):
            open_poll(poll=draft_poll(motion), by=chair_user)
        return voters

    voters = in_thread(setup)
    phone = phone_on_ballot(browser, asgi_server, assembly, voters[0].user)
    phone.get_by_role("button", name="No on “Approve the budget”").tap()
    button = phone.get_by_role("button", name="Confirm: No on “Approve the budget”", exact=True)
    button.wait_for()
    phone.wait_for_load_state("load")
    assert button.evaluate("(node) => node === document.activeElement")
    phone.context.close()


def test_opening_without_quorum_or_reason_marks_the_reason_box_invalid(
    asgi_server, browser, assembly, chair_user
):
    def setup():
        electorate_of(assembly, 3)  # nobody in the hall: no quorum
        return draft_poll(resolution(ga_body(assembly)))

    poll = in_thread(setup)
    chair = page_for(browser, asgi_server, chair_user, **PHONE_360)
    chair.goto(f"{asgi_server}/a/{assembly.slug}/polls/console/")
    chair.locator(f"#poll-{poll.pk}").get_by_role("button", name="Open the poll").click()
    chair.wait_for_load_state("load")
    reason = chair.get_by_label("No quorum: the reason to open it all the same")
    assert reason.get_attribute("aria-invalid") == "true"
    message = chair.locator(f"#{reason.get_attribute('aria-describedby')}")
    assert "There is no quorum" in message.inner_text()
    chair.context.close()


def test_a_wrong_staff_password_moves_the_focus_to_the_message(
    asgi_server, browser, assembly, chair_user
):
    page = page_for(browser, asgi_server, **PHONE_360)
    page.goto(f"{asgi_server}/login/")
    page.get_by_label("Username").fill(chair_user.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in with a password").click()
    page.wait_for_function("document.activeElement.id === 'error-summary'")
    assert "Please enter a correct username" in page.locator("*:focus").inner_text()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    page.context.close()
