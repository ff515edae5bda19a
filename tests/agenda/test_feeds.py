"""Calendar feeds parse in two parsers and behave as calendar apps need."""

from datetime import UTC, datetime, timedelta

import pytest
import vobject
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sessions import services
from sessions.calendar import personal_feed_token
from sessions.selectors import personal_feed_of
from tests.conftest import client_for


def programme_url(assembly, **params):
    url = reverse("agenda:programme-feed", args=[assembly.slug])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def personal_url(delegate):
    token = personal_feed_token(personal_feed_of(delegate))
    return reverse("agenda:personal-feed", args=[delegate.assembly.slug, token])


def events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def vobject_events(body: bytes) -> dict[str, object]:
    calendar = vobject.readOne(body.decode())
    return {event.summary.value: event for event in calendar.vevent_list}


def test_public_feed_parses_in_icalendar_and_vobject_with_every_field(
    client, assembly, ga_session, workshop
):
    response = client.get(programme_url(assembly))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    event = events(response.content)["General Assembly Session"]
    assert str(event["UID"]) == f"{ga_session.uid}@plenary"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert "Plenary hall" in str(event["LOCATION"])
    assert assembly.venue in str(event["LOCATION"])
    assert str(event["URL"]).endswith(f"/a/{assembly.slug}/programme/ga-session/")
    assert "Oh Se-hoon" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTAMP") == ga_session.changed_at.replace(microsecond=0)
    assert event.decoded("LAST-MODIFIED") == ga_session.changed_at.replace(microsecond=0)
    assert event.decoded("DTSTART") == ga_session.starts_at
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    calendar = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]

    parsed = vobject_events(response.content)["General Assembly Session"]
    assert parsed.uid.value == f"{ga_session.uid}@plenary"
    assert parsed.dtstart.value == ga_session.starts_at
    assert parsed.dtend.value == ga_session.ends_at
    assert parsed.sequence.value == "0"
    assert "Solutions Meets Cities" in vobject_events(response.content)


def test_dtstamp_is_when_the_session_changed_not_when_the_feed_was_fetched(
    client, assembly, workshop
):
    first = events(client.get(programme_url(assembly)).content)["Solutions Meets Cities"]
    later = events(client.get(programme_url(assembly)).content)["Solutions Meets Cities"]
    assert first.decoded("DTSTAMP") == later.decoded("DTSTAMP")
    assert first.decoded("DTSTAMP") < timezone.now() - timedelta(microseconds=1)


def test_uid_stays_and_sequence_grows_on_every_change(client, assembly, workshop):
    uid_before = str(
        events(client.get(programme_url(assembly)).content)["Solutions Meets Cities"]["UID"]
    )
    services.move_session(
        session=workshop,
        starts_at=workshop.starts_at + timedelta(hours=1),
        ends_at=workshop.ends_at + timedelta(hours=1),
    )
    moved = events(client.get(programme_url(assembly)).content)["Solutions Meets Cities"]
    assert str(moved["UID"]) == uid_before
    assert moved["SEQUENCE"] == 1
    services.update_session_details(
        session=workshop,
        title="Solutions Meets Cities",
        kind="workshop",
        description="New text",
        visibility="public",
    )
    edited = events(client.get(programme_url(assembly)).content)["Solutions Meets Cities"]
    assert edited["SEQUENCE"] == 2
    assert edited.decoded("LAST-MODIFIED") > moved.decoded("LAST-MODIFIED") - timedelta(seconds=1)


def test_cancelled_session_stays_in_feed_with_its_uid_and_status_cancelled(
    client, assembly, workshop
):
    services.cancel_session(session=workshop)
    body = client.get(programme_url(assembly)).content
    event = events(body)["Solutions Meets Cities"]
    assert str(event["UID"]) == f"{workshop.uid}@plenary"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert vobject_events(body)["Solutions Meets Cities"].status.value == "CANCELLED"


def test_times_are_right_across_the_october_daylight_saving_change(client, paris):
    assembly, _saturday, _monday = paris
    body = client.get(programme_url(assembly)).content
    parsed = events(body)
    assert parsed["Saturday plenary"]["DTSTART"].to_ical() == b"20261024T100000"
    assert parsed["Monday plenary"]["DTSTART"].to_ical() == b"20261026T100000"
    # 10:00 CEST is 08:00 UTC on Saturday; 10:00 CET is 09:00 UTC on Monday.
    assert parsed["Saturday plenary"].decoded("DTSTART").astimezone(UTC) == datetime(
        2026, 10, 24, 8, tzinfo=UTC
    )
    assert parsed["Monday plenary"].decoded("DTSTART").astimezone(UTC) == datetime(
        2026, 10, 26, 9, tzinfo=UTC
    )
    zone = Calendar.from_ical(body).walk("VTIMEZONE")[0]
    assert zone["TZID"] == "Europe/Paris"
    standard = [sub for sub in zone.subcomponents if sub.name == "STANDARD"]
    assert any(sub.decoded("TZOFFSETFROM") == timedelta(hours=2) for sub in standard)
    assert any(sub.decoded("TZOFFSETTO") == timedelta(hours=1) for sub in standard)
    # The change of the last Sunday of October 2026, at 03:00 local summer time.
    assert b"20261025T030000" in zone.to_ical()
    # vobject reads the VTIMEZONE itself (not the zoneinfo database) and agrees.
    other = vobject_events(body)
    assert other["Saturday plenary"].dtstart.value.astimezone(UTC).hour == 8
    assert other["Monday plenary"].dtstart.value.astimezone(UTC).hour == 9


def test_members_only_sessions_never_appear_in_the_public_feed(client, assembly, excom, workshop):
    for params in ({}, {"kind": "excom"}, {"room": "room-327"}, {"day": assembly.start_date}):
        body = client.get(programme_url(assembly, **params)).content
        assert "Executive Committee meeting" not in events(body)
        assert b"Executive Committee" not in body


def test_logged_in_member_gets_members_only_sessions_in_the_programme_feed(
    assembly, excom, delegate
):
    response = client_for(delegate.user).get(programme_url(assembly))
    assert "Executive Committee meeting" in events(response.content)
    assert "private" in response["Cache-Control"]


def test_members_feed_at_the_token_url_holds_members_only_sessions(
    client, assembly, excom, delegate
):
    token = personal_feed_token(personal_feed_of(delegate))
    url = reverse("agenda:members-feed", args=[assembly.slug, token])
    body = client.get(url).content
    assert "Executive Committee meeting" in events(body)
    assert "Executive Committee meeting" in vobject_events(body)


def test_filtered_feed_holds_only_what_the_filter_chose(
    client, assembly, ga_session, workshop, tour
):
    tours = events(client.get(programme_url(assembly, kind="tour")).content)
    assert set(tours) == {"Gwangjang Market tour"}
    day_two = assembly.start_date + timedelta(days=1)
    second_day = events(client.get(programme_url(assembly, day=day_two)).content)
    assert set(second_day) == {"General Assembly Session", "Gwangjang Market tour"}
    in_327 = events(client.get(programme_url(assembly, room="room-327", kind="workshop")).content)
    assert set(in_327) == {"Solutions Meets Cities"}


def test_personal_feed_holds_the_delegates_chosen_sessions_only(
    client, assembly, delegate, ga_session, workshop, excom
):
    services.choose_session(delegate=delegate, session=ga_session)
    services.choose_session(delegate=delegate, session=excom)
    body = client.get(personal_url(delegate)).content
    assert set(events(body)) == {"General Assembly Session", "Executive Committee meeting"}
    assert set(vobject_events(body)) == {"General Assembly Session", "Executive Committee meeting"}


def test_reset_token_kills_the_old_personal_feed_url(client, assembly, delegate, ga_session):
    old = personal_url(delegate)
    assert client.get(old).status_code == 200
    client_for(delegate.user).post(
        reverse("agenda:reset-feed", args=[assembly.slug]), {"confirm": "yes"}
    )
    assert client.get(old).status_code == 404
    old_members = old.replace("my.ics", "programme.ics")
    assert client.get(old_members).status_code == 404
    assert client.get(personal_url(delegate)).status_code == 200


def test_tampered_token_answers_404(client, assembly, delegate):
    url = personal_url(delegate)
    assert client.get(url[:-8] + "x" + url[-7:]).status_code == 404


def test_unchanged_feed_answers_304_to_etag_and_to_last_modified(client, assembly, workshop):
    url = programme_url(assembly)
    first = client.get(url)
    assert first["ETag"]
    assert first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304


def test_feeds_answer_head_requests_with_the_validators(client, assembly, workshop):
    response = client.head(programme_url(assembly))
    assert response.status_code == 200
    assert response["ETag"]


def test_changed_feed_answers_200_with_a_new_etag(client, assembly, workshop, delegate):
    url = programme_url(assembly)
    first = client.get(url)
    services.cancel_session(session=workshop)
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]

    personal = personal_url(delegate)
    before = client.get(personal)
    services.choose_session(
        delegate=delegate,
        session=workshop.__class__.objects.create(
            assembly=assembly,
            room=workshop.room,
            code="new",
            title="New",
            kind="workshop",
            starts_at=workshop.ends_at + timedelta(hours=2),
            ends_at=workshop.ends_at + timedelta(hours=3),
        ),
    )
    after = client.get(personal, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "New" in events(after.content)


def test_single_session_download_is_an_attachment_with_one_event(client, assembly, workshop):
    response = client.get(reverse("agenda:session-ics", args=[assembly.slug, workshop.code]))
    assert response["Content-Disposition"] == 'attachment; filename="workshop.ics"'
    assert list(events(response.content)) == ["Solutions Meets Cities"]
    assert len(vobject.readOne(response.content.decode()).vevent_list) == 1


def test_members_only_session_download_is_404_for_the_public(client, assembly, excom, delegate):
    url = reverse("agenda:session-ics", args=[assembly.slug, excom.code])
    assert client.get(url).status_code == 404
    assert client_for(delegate.user).get(url).status_code == 200


def test_programme_page_offers_webcal_links_with_the_same_filter(client, assembly, workshop):
    page = client.get(reverse("agenda:programme", args=[assembly.slug]) + "?kind=workshop")
    assert b"webcal://testserver/a/ga/programme.ics?kind=workshop" in page.content


def test_feeds_render_the_same_with_and_without_the_cache(client, assembly, ga_session, settings):
    settings.AGENDA_FEED_CACHE_SECONDS = 0
    uncached = Client().get(programme_url(assembly)).content
    settings.AGENDA_FEED_CACHE_SECONDS = 3600
    assert client.get(programme_url(assembly)).content == uncached
    assert client.get(programme_url(assembly)).content == uncached


@pytest.mark.parametrize("bad", ["not-a-date", "1999-01-01"])
def test_feed_ignores_a_day_outside_the_assembly(client, assembly, workshop, bad):
    assert "Solutions Meets Cities" in events(client.get(programme_url(assembly, day=bad)).content)


def test_renaming_a_speaker_or_room_changes_the_feeds_and_their_etags(
    client, assembly, workshop, settings
):
    from sessions.models import Room, Session, Speaker
    from tests.agenda.factories import SpeakerFactory

    settings.AGENDA_FEED_CACHE_SECONDS = 3600
    speaker = SpeakerFactory(assembly=assembly, name="Kim Min-jun")
    workshop.speakers.add(speaker)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    for model in (Session, Room, Speaker):
        model.objects.filter(assembly=assembly).update(changed_at=an_hour_ago)
    type(assembly).objects.filter(pk=assembly.pk).update(updated_at=an_hour_ago)
    urls = [
        programme_url(assembly),
        reverse("agenda:session-ics", args=[assembly.slug, workshop.code]),
    ]
    before = {url: client.get(url) for url in urls}
    speaker.name = "Kim Min-jun (chair)"
    speaker.save()
    workshop.room.name = "Room 401"
    workshop.room.save()
    for url, first in before.items():
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200, url
        assert again["ETag"] != first["ETag"]
        event = events(again.content)["Solutions Meets Cities"]
        assert "Room 401" in str(event["LOCATION"])
        assert "Kim Min-jun (chair)" in str(event["DESCRIPTION"])
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert by_date.status_code == 200, url
