"""The voting pages: a delegate votes in two taps, the chair runs polls, anyone checks receipts."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.voting.ballot_steps import confirm as cast
from tests.voting.ballot_steps import confirm_fields
from tests.voting.factories import draft_poll, resolution
from voting.models import Ballot, PollKind, PollState
from voting.services import cast_ballots, close_poll, open_poll, publish_poll
from voting.verify import receipt_hash

pytestmark = pytest.mark.django_db


def page(name, *args):
    return reverse(name, args=["ga", *args])


def test_ballot_page_shows_question_and_choices_as_buttons(open_secret_poll, present_voters):
    html = client_for(present_voters[0].user).get(page("voting-ballot")).content.decode()
    question = html.index("Adopt the agenda")
    assert question < html.index(">Yes<")
    for word in ("Yes", "No", "Abstain"):
        assert f'value="{word.lower()}" class="choice">{word}</button>' in html


def test_two_taps_choose_then_confirm_record_the_ballot_and_show_the_receipt(
    open_secret_poll, present_voters
):
    client = client_for(present_voters[0].user)
    confirm_url = page("voting-confirm", open_secret_poll.pk)
    confirm = client.post(confirm_url, {"choice": "no"}).content.decode()
    assert "You are voting:" in confirm
    assert "Confirm: No" in confirm
    assert present_voters[0].member.name in confirm
    receipt = client.post(confirm_url, confirm_fields(confirm)).content.decode()
    assert f"Recorded for {present_voters[0].member.name}: No." in receipt
    code = re.search(r'class="receipt-code">([A-Z0-9-]+)<', receipt).group(1)
    assert Ballot.objects.get(receipt_hash=receipt_hash(code)).choices == ["no"]


def test_voting_twice_on_the_page_says_already_voted(open_secret_poll, present_voters):
    client = client_for(present_voters[0].user)
    cast(client, open_secret_poll, "yes")
    response = cast(client, open_secret_poll, "no", follow=True)
    assert "already been counted" in response.content.decode()
    assert Ballot.objects.count() == 1


def test_receipt_code_is_never_stored_in_the_session(open_secret_poll, present_voters):
    client = client_for(present_voters[0].user)
    receipt = cast(client, open_secret_poll, "yes")
    code = re.search(r'class="receipt-code">([A-Z0-9-]+)<', receipt.content.decode()).group(1)
    assert code not in str(dict(client.session))


def test_ballot_page_tells_a_delegate_why_their_member_cannot_vote_in_the_open_poll(
    assembly, open_secret_poll
):
    from assembly.models import MembershipType
    from tests.factories import MemberFactory
    from tests.voting.factories import accredit

    unpaid = accredit(assembly, MemberFactory(name="Wellington", dues_paid=False))
    associate = accredit(
        assembly, MemberFactory(name="Tauranga", membership_type=MembershipType.ASSOCIATE)
    )
    html = client_for(unpaid.user).get(page("voting-ballot")).content.decode()
    assert 'id="no-poll" hidden' in html
    assert "A poll is open, but you cannot vote in it." in html
    assert (
        "Wellington is not a voting member of the General Assembly: its dues are not paid." in html
    )
    assert 'name="choice"' not in html
    card = client_for(associate.user).get(page("voting-ballot-card", open_secret_poll.pk))
    assert "Tauranga is not a voting member of the General Assembly: its membership type " in (
        card.content.decode()
    )


def test_desk_staff_get_no_ballot(open_secret_poll, desk_client):
    assert desk_client.get(page("voting-ballot")).status_code == 403


def test_chair_console_opens_closes_and_publishes(motion, present_voters, chair_client):
    poll = draft_poll(motion)
    console = chair_client.get(page("voting-console")).content.decode()
    assert "5 of 5 voting members present, 3 needed" in console
    assert f'id="reason-{poll.pk}"' not in console  # quorum: one button, no reason to give
    for action in ("open", "close", "publish"):
        chair_client.post(page("voting-action", poll.pk, action))
    poll.refresh_from_db()
    assert poll.state == PollState.PUBLISHED


def test_console_puts_open_polls_first_and_folds_published_results(
    body, present_voters, chair_user, chair_client
):
    published = open_poll(poll=draft_poll(resolution(body, code="r1")), by=chair_user)
    close_poll(poll=published, by=chair_user)
    publish_poll(poll=published, by=chair_user)
    draft = draft_poll(resolution(body, code="r2"))
    opened = open_poll(poll=draft_poll(resolution(body, code="r3")), by=chair_user)

    html = chair_client.get(page("voting-console")).content.decode()

    assert html.index(f'id="poll-{opened.pk}"') < html.index(f'id="poll-{draft.pk}"')
    folded = html.index('<details class="published-polls">')
    assert html.index(f'id="poll-{draft.pk}"') < folded < html.index(f'id="poll-{published.pk}"')
    assert "1 published result</summary>" in html


def test_console_shows_a_refusal_and_opens_with_a_written_reason(motion, voters, chair_client):
    poll = draft_poll(motion)
    response = chair_client.post(page("voting-action", poll.pk, "open"), follow=True)
    assert "There is no quorum" in response.content.decode()
    assert f'id="reason-{poll.pk}"' in response.content.decode()
    chair_client.post(page("voting-action", poll.pk, "open"), {"override_reason": "Agreed"})
    poll.refresh_from_db()
    assert (poll.state, poll.override_reason) == (PollState.OPEN, "Agreed")


def test_delegate_cannot_use_the_console(open_secret_poll, present_voters):
    client = client_for(present_voters[0].user)
    assert client.get(page("voting-console")).status_code == 403
    client.post(page("voting-action", open_secret_poll.pk, "close"))
    open_secret_poll.refresh_from_db()
    assert open_secret_poll.state == PollState.OPEN


def test_hand_counts_entered_by_secretariat_confirmed_by_chair(
    motion, present_voters, chair_user, secretariat_client, chair_client
):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    close_poll(poll=poll, by=chair_user)
    secretariat_client.post(
        page("voting-action", poll.pk, "counts"),
        {"count_yes": "4", "count_no": "1", "count_abstain": "0", "ballots": "5"},
    )
    chair_client.post(page("voting-action", poll.pk, "confirm"))
    chair_client.post(page("voting-action", poll.pk, "publish"))
    poll.refresh_from_db()
    assert poll.state == PollState.PUBLISHED
    assert poll.result["counts"]["yes"] == 4


def publish_with_votes(poll, voters, chair_user, choices):
    for delegate, choice in zip(voters, choices, strict=False):
        cast_ballots(poll=poll, delegate=delegate, choices=[choice])
    close_poll(poll=poll, by=chair_user)
    return publish_poll(poll=poll, by=chair_user)


def test_results_page_says_the_outcome_in_words_with_bars(
    client, open_secret_poll, present_voters, chair_user
):
    assert client.get(page("voting-results", open_secret_poll.pk)).status_code in (302, 403)
    publish_with_votes(open_secret_poll, present_voters, chair_user, ["yes", "yes", "no"])
    html = client.get(page("voting-results", open_secret_poll.pk)).content.decode()
    assert "Adopted: 2 yes, 1 no, 0 abstentions" in html
    assert 'class="bars"' in html
    assert "<table" not in html


def test_public_receipt_list_finds_a_voters_code(
    client, open_secret_poll, present_voters, chair_user
):
    [receipt] = cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["no"])
    assert client.get(page("voting-receipts", open_secret_poll.pk)).status_code == 403
    publish_with_votes(open_secret_poll, present_voters[1:], chair_user, ["yes", "yes"])
    html = client.post(page("voting-receipts", open_secret_poll.pk), {"code": receipt.code})
    text = html.content.decode()
    assert "Found: your ballot was counted as “No”" in text
    assert receipt_hash(receipt.code) in text
    missing = client.post(page("voting-receipts", open_secret_poll.pk), {"code": "AAAAA"})
    assert "not in the list" in missing.content.decode()


def test_receipt_check_finds_a_code_typed_without_dashes_or_with_spaces(
    client, open_secret_poll, present_voters, chair_user
):
    [receipt] = cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["no"])
    publish_with_votes(open_secret_poll, present_voters[1:], chair_user, ["yes"])
    bare = receipt.code.replace("-", "")
    for typed in (bare, receipt.code.replace("-", " "), f" {bare[:7]}-{bare[7:]} ".lower()):
        html = client.post(page("voting-receipts", open_secret_poll.pk), {"code": typed})
        assert "Found: your ballot was counted as “No”" in html.content.decode(), typed


def test_result_sheet_and_minutes_are_pdfs_with_the_figures(
    open_secret_poll, present_voters, chair_user, chair_client
):
    from io import BytesIO

    from pypdf import PdfReader

    publish_with_votes(open_secret_poll, present_voters, chair_user, ["yes"] * 4 + ["no"])
    for response in (
        chair_client.get(page("voting-results-pdf", open_secret_poll.pk)),
        chair_client.get(page("voting-minutes-pdf")),
    ):
        assert response["Content-Type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
        assert "Adopt the agenda" in text
        assert "Adopted: 4 yes, 1 no" in text
        assert "Quorum at opening: 5 / 5" in text


def test_roll_call_results_sheet_and_minutes_list_each_members_vote(
    client, motion, present_voters, chair_user, chair_client
):
    from io import BytesIO

    from pypdf import PdfReader

    from voting.models import BodySeat

    BodySeat.objects.create(body=motion.body, member=present_voters[2].member, weight=3)
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.ROLL_CALL), by=chair_user)
    for delegate, choice in zip(present_voters, ["yes", "no", "abstain"], strict=False):
        cast_ballots(poll=poll, delegate=delegate, choices=[choice])
    close_poll(poll=poll, by=chair_user)
    members = [d.member.name for d in present_voters[:3]]
    closed = chair_client.get(page("voting-results", poll.pk)).content.decode()
    assert "Roll call" in closed
    for name, vote in zip(members, ["Yes", "No", "Abstain (weight 3)"], strict=True):
        assert re.search(rf"<td>{re.escape(name)}</td><td>{re.escape(vote)}</td>", closed)
    assert client.get(page("voting-results", poll.pk)).status_code in (302, 403)
    publish_poll(poll=poll, by=chair_user)
    public = client.get(page("voting-results", poll.pk)).content.decode()
    assert f"<td>{members[0]}</td><td>Yes</td>" in public
    for response in (
        client.get(page("voting-results-pdf", poll.pk)),
        chair_client.get(page("voting-minutes-pdf")),
    ):
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
        assert "Roll call" in text
        assert all(name in text for name in members)


def test_secret_poll_results_name_no_member(client, open_secret_poll, present_voters, chair_user):
    publish_with_votes(open_secret_poll, present_voters, chair_user, ["yes", "no"])
    html = client.get(page("voting-results", open_secret_poll.pk)).content.decode()
    assert "Roll call" not in html
    assert not any(d.member.name in html for d in present_voters)


def test_delegate_home_links_to_the_open_poll(open_secret_poll, present_voters):
    html = client_for(present_voters[0].user).get(page("delegate-home")).content.decode()
    assert "Vote now: Adopt the agenda" in html
    assert "You count as present." in html


def test_chair_home_shows_quorum(present_voters, chair_client):
    html = chair_client.get(page("chair-home")).content.decode()
    assert "5 of 5 voting members present" in html


def test_secretariat_confirms_online_presence(assembly, body, voters, secretariat_client):
    secretariat_client.post(page("voting-presence"), {"delegate": voters[0].pk, "present": "1"})
    html = secretariat_client.get(page("voting-presence")).content.decode()
    assert "1 of 5 voting members present" in html


def test_online_delegate_checks_in_online_and_counts_for_quorum(assembly, body, voters):
    delegate = voters[0]
    delegate.attendance = "online"
    delegate.save()
    client = client_for(delegate.user)
    assert "I am present online" in client.get(page("delegate-home")).content.decode()
    client.post(page("voting-online-checkin"), {"present": "1"})
    from voting.selectors import quorum_snapshot

    assert quorum_snapshot(body)["present"] == 1


def test_online_check_in_is_refused_when_the_setting_is_off(assembly, body, voters, settings):
    settings.VOTING_SELF_ONLINE_CHECKIN = False
    response = client_for(voters[0].user).post(page("voting-online-checkin"), {"present": "1"})
    assert response.status_code == 403


def test_secretariat_records_approves_and_revokes_a_proxy_on_the_page(
    assembly, body, voters, secretariat_client
):
    from tests.factories import MemberFactory
    from voting.models import Proxy

    assembly.proxies_allowed = True
    assembly.save()
    member = MemberFactory()
    secretariat_client.post(
        page("voting-proxies"), {"action": "request", "member": member.pk, "holder": voters[0].pk}
    )
    proxy = Proxy.objects.get()
    secretariat_client.post(page("voting-proxies"), {"action": "approve", "proxy": proxy.pk})
    proxy.refresh_from_db()
    assert proxy.state == "approved"
    html = secretariat_client.get(page("voting-proxies")).content.decode()
    assert member.name in html
    secretariat_client.post(page("voting-proxies"), {"action": "revoke", "proxy": proxy.pk})
    proxy.refresh_from_db()
    assert proxy.state == "revoked"


def test_chair_prepares_a_runoff_from_the_console(body, present_voters, chair_user, chair_client):
    from tests.voting.factories import election_without_majority

    poll, _ids = election_without_majority(body, present_voters, chair_user)
    html = chair_client.get(page("voting-console")).content.decode()
    assert "Runoff for 1 seat among Kampala, São Paulo" in html
    chair_client.post(page("voting-action", poll.pk, "runoff"))
    assert poll.runoffs.get().state == PollState.DRAFT


def test_two_seat_election_lets_a_voter_tick_two_candidates_and_refuses_three(
    body, present_voters, chair_user
):
    from tests.voting.factories import election

    motion = election(body, names=["Kampala", "São Paulo", "Ulaanbaatar"], seats=2)
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    ids = [str(c.pk) for c in motion.candidates.order_by("position")]
    client = client_for(present_voters[0].user)
    html = client.get(page("voting-ballot")).content.decode()
    assert "Choose up to 2 candidates" in html
    assert html.count('type="checkbox" name="choice"') == 3
    too_many = client.post(page("voting-confirm", poll.pk), {"choice": ids})
    assert "You ticked 3 candidates. Choose up to 2 candidates, or Abstain." in (
        too_many.content.decode()
    )
    confirm = client.post(page("voting-confirm", poll.pk), {"choice": ids[:2]}).content.decode()
    assert "Confirm: Kampala, São Paulo" in confirm
    receipt = client.post(page("voting-confirm", poll.pk), confirm_fields(confirm))
    receipt = receipt.content.decode()
    assert "Kampala, São Paulo." in receipt


def test_election_with_only_an_abstention_says_so_instead_of_no_votes_cast(
    client, body, present_voters, chair_user
):
    from tests.voting.factories import election

    poll = open_poll(poll=draft_poll(election(body, names=["Kampala", "Almaty"])), by=chair_user)
    publish_with_votes(poll, present_voters[:1], chair_user, ["abstain"])
    html = client.get(page("voting-results", poll.pk)).content.decode()
    assert "1 abstention; no votes for any candidate." in html
    assert "No votes were cast." not in html


def test_receipt_says_when_a_members_ballot_was_counted_by_someone_else_meanwhile(
    assembly, motion, present_voters, secretariat_user, chair_user
):
    from django.utils import timezone

    from tests.factories import MemberFactory
    from tests.voting.factories import accredit
    from voting.presence import record_hall_entry
    from voting.services import approve_proxy, request_proxy

    assembly.proxies_allowed = True
    assembly.save()
    holder, absent_member = present_voters[0], MemberFactory()
    own_delegate = accredit(assembly, absent_member)
    approve_proxy(
        proxy=request_proxy(
            assembly=assembly, member=absent_member, holder=holder, by=secretariat_user
        ),
        by=secretariat_user,
    )
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    client = client_for(holder.user)
    confirm_url = page("voting-confirm", poll.pk)
    shown = client.post(confirm_url, {"choice": "yes"}).content.decode()
    assert absent_member.name in shown

    # The member's own delegate walks in and votes before the holder taps Confirm.
    record_hall_entry(delegate=own_delegate, at=timezone.now())
    cast_ballots(poll=poll, delegate=own_delegate, choices=["no"])
    receipt = client.post(confirm_url, confirm_fields(shown)).content.decode()

    assert f"Recorded for {holder.member.name}: Yes." in receipt
    assert f"No ballot of yours was added for {absent_member.name}" in receipt
    assert Ballot.objects.filter(poll=poll).count() == 2


def test_console_says_when_a_hand_count_is_not_a_whole_number(
    motion, present_voters, chair_user, secretariat_user
):
    poll = close_poll(
        poll=open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user), by=chair_user
    )
    response = client_for(secretariat_user).post(
        page("voting-action", poll.pk, "counts"),
        {"count_yes": "three", "count_no": "1", "count_abstain": "0", "ballots": "4"},
        follow=True,
    )
    assert "Enter each count and the ballots as a whole number." in response.content.decode()
    poll.refresh_from_db()
    assert poll.hand_counts == {}


# --- the live room in a full hall (found by a tester) ----------------------------------------


def test_a_show_of_hands_poll_gives_the_phone_no_ballot_to_cast(motion, present_voters, chair_user):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    phone = client_for(present_voters[0].user)
    html = phone.get(page("voting-ballot")).content.decode()
    assert "Vote by show of hands in the room." in html
    assert 'class="choice"' not in html
    assert "Voting on behalf of:" not in html
    response = phone.get(page("voting-confirm", poll.pk), {"choice": "yes"}, follow=True)
    assert "Confirm: Yes" not in response.content.decode()
    assert "Vote by show of hands in the room" in response.content.decode()


def test_the_console_shows_no_electronic_turnout_for_a_show_of_hands(
    motion, present_voters, chair_user, chair_client
):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    html = chair_client.get(page("voting-console")).content.decode()
    assert "Show of hands in the room" in html
    assert f'data-turnout-for="{poll.pk}"' not in html
    assert "0 of 5 have voted" not in html


def test_the_ballot_names_the_member_voted_for_as_on_behalf_of(open_secret_poll, present_voters):
    client = client_for(present_voters[0].user)
    member = present_voters[0].member.name
    assert f"Voting on behalf of: <strong>{member}</strong>" in (
        client.get(page("voting-ballot")).content.decode()
    )
    confirm = client.post(page("voting-confirm", open_secret_poll.pk), {"choice": "yes"})
    assert f"Voting on behalf of: <strong>{member}</strong>" in confirm.content.decode()
    assert "You vote for" not in confirm.content.decode()


def test_the_confirm_page_counts_down_and_listens_live(motion, present_voters, chair_user):
    poll = open_poll(poll=draft_poll(motion, close_after_seconds=60), by=chair_user)
    html = (
        client_for(present_voters[0].user)
        .post(page("voting-confirm", poll.pk), {"choice": "yes"})
        .content.decode()
    )
    assert 'role="timer"' in html
    assert "data-closes-at=" in html
    assert 'id="live-config"' in html
    assert "js/voting/confirm.js" in html


def test_the_confirm_page_of_a_closed_poll_offers_no_active_confirm(
    open_secret_poll, present_voters, chair_user
):
    client = client_for(present_voters[0].user)
    close_poll(poll=open_secret_poll, by=chair_user)
    html = client.post(page("voting-confirm", open_secret_poll.pk), {"choice": "yes"}).content
    button = re.search(r"<button[^>]*>Confirm: Yes</button>", html.decode()).group(0)
    assert "disabled" in button
    assert "the ballot can no longer be cast" in html.decode()


def test_a_ballot_after_the_close_says_it_was_not_counted_and_when_in_local_time(
    assembly, open_secret_poll, present_voters, chair_user
):
    from datetime import datetime, time, timedelta

    from voting.models import Poll

    assembly.time_zone = "Pacific/Auckland"
    assembly.save()
    client = client_for(present_voters[0].user)
    confirm_url = page("voting-confirm", open_secret_poll.pk)
    form = re.search(
        r'name="form" value="([^"]+)"', client.post(confirm_url, {"choice": "yes"}).content.decode()
    ).group(1)
    close_poll(poll=open_secret_poll, by=chair_user)
    # Yesterday evening: a closing time still ahead reads as "the poll is not open".
    yesterday = assembly.local_today() - timedelta(days=1)
    Poll.objects.filter(pk=open_secret_poll.pk).update(
        closed_at=datetime.combine(yesterday, time(18, 41), tzinfo=assembly.zone)
    )
    response = client.post(confirm_url, {"choice": "yes", "form": form}, follow=True)
    assert "Your vote was not counted: the poll closed at 18:41." in response.content.decode()
    assert Ballot.objects.count() == 0


def test_reloading_the_receipt_shows_the_receipt_not_already_counted(
    open_secret_poll, present_voters
):
    client = client_for(present_voters[0].user)
    confirm_url = page("voting-confirm", open_secret_poll.pk)
    confirm = client.post(confirm_url, {"choice": "yes"}).content.decode()
    form = re.search(r'name="form" value="([^"]+)"', confirm).group(1)
    client.post(confirm_url, {"choice": "yes", "form": form})
    reload = client.post(confirm_url, {"choice": "yes", "form": form})
    html = reload.content.decode()
    assert reload.status_code == 200
    assert "Your vote is recorded" in html
    assert f"The ballot for {present_voters[0].member.name} is counted." in html
    assert "already been counted" not in html
    assert Ballot.objects.count() == 1


def test_create_draft_poll_sent_twice_makes_one_draft(motion, chair_client):
    from voting.models import Poll

    form = {"motion": motion.pk, "kind": PollKind.SECRET, "min_open_seconds": "0"}
    chair_client.post(page("voting-create-poll"), form)
    second = chair_client.post(page("voting-create-poll"), form, follow=True)
    assert Poll.objects.filter(motion=motion).count() == 1
    refusal = "already has a draft poll (round 1): open or discard that one."
    assert refusal in second.content.decode()


def test_result_bars_measure_against_the_base_with_the_threshold_marked(
    body, voters, present_voters, chair_user, client
):
    """8 yes of 26 needed (absolute majority of 51 present) must not fill the Yes bar."""
    from tests.voting.factories import resolution
    from voting.models import Poll
    from voting.selectors import result_lines

    poll = open_poll(poll=draft_poll(resolution(body, majority="absolute_present")), by=chair_user)
    close_poll(poll=poll, by=chair_user)
    Poll.objects.filter(pk=poll.pk).update(
        result={
            "mode": "yes_no",
            "counts": {"yes": 8, "no": 2, "abstain": 8},
            "cast": 18,
            "abstentions": 8,
            "base": 51,
            "threshold": 26,
            "outcome": "rejected",
            "tie": False,
            "elected": [],
            "runoff": [],
            "runoff_seats": 0,
        }
    )
    poll.refresh_from_db()
    bars = {bar["value"]: bar for bar in result_lines(poll)["bars"]}
    assert [bars[v]["share"] for v in ("yes", "no", "abstain")] == [16, 4, 16]
    assert bars["yes"]["mark"] == 51
    assert bars["no"]["mark"] is None
    publish_poll(poll=poll, by=chair_user)
    html = client.get(page("voting-results", poll.pk)).content.decode()
    assert '<span style="width: 16%"></span><span class="threshold-mark" style="left: 51%">' in html


def test_voting_page_titles_name_the_assembly(open_secret_poll, present_voters, chair_user):
    voter, chair = client_for(present_voters[0].user), client_for(chair_user)
    for client, name in (
        (voter, "voting-ballot"),
        (voter, "voting-published"),
        (chair, "voting-console"),
    ):
        html = client.get(page(name)).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        assert title.endswith("· Test General Assembly"), (name, title)
