"""Agenda API: sessions with filters, detail, my agenda, feed addresses; isolation."""

from datetime import timedelta

from django.test import Client

from sessions.models import AgendaChoice
from tests.agenda.factories import RoomFactory, SessionFactory
from tests.conftest import client_for
from tests.factories import DelegateFactory

BASE = "/api/v1/assemblies"


def test_list_sessions_filters_by_day_room_and_kind(client, assembly, ga_session, workshop, tour):
    day_two = (assembly.start_date + timedelta(days=1)).isoformat()
    body = client.get(f"{BASE}/ga/sessions?day={day_two}").json()
    assert [s["code"] for s in body] == ["ga-session", "market-tour"]
    assert body[0]["local_start"].endswith("T09:30:00+09:00")
    assert [s["code"] for s in client.get(f"{BASE}/ga/sessions?kind=tour").json()] == [
        "market-tour"
    ]
    assert [s["code"] for s in client.get(f"{BASE}/ga/sessions?room=hall").json()] == ["ga-session"]


def test_members_only_sessions_need_a_role(client, assembly, excom, workshop, delegate, bearer):
    assert [s["code"] for s in client.get(f"{BASE}/ga/sessions").json()] == ["workshop"]
    assert client.get(f"{BASE}/ga/sessions/excom").status_code == 404
    member = client_for(delegate.user)
    assert {s["code"] for s in member.get(f"{BASE}/ga/sessions").json()} == {"workshop", "excom"}
    assert Client().get(f"{BASE}/ga/sessions/excom", **bearer).status_code == 200


def test_session_detail_has_speakers_and_agenda_items(client, assembly, ga_session):
    ga_session.agenda_items.create(order=0, number="1", title="Opening")
    body = client.get(f"{BASE}/ga/sessions/ga-session").json()
    assert body["speakers"][0]["name"] == "Oh Se-hoon"
    assert body["agenda_items"] == [{"number": "1", "title": "Opening", "description": ""}]
    assert body["ics_url"].endswith("/a/ga/programme/ga-session/event.ics")


def test_another_assemblys_sessions_are_invisible(client, assembly, workshop, other_assembly):
    SessionFactory(assembly=other_assembly, room=RoomFactory(assembly=other_assembly), code="x")
    assert [s["code"] for s in client.get(f"{BASE}/ga/sessions").json()] == ["workshop"]
    assert client.get(f"{BASE}/ga/sessions/x").status_code == 404


def test_my_agenda_add_list_and_remove(assembly, workshop, delegate):
    client = client_for(delegate.user)
    assert client.post(f"{BASE}/ga/my-agenda/workshop").status_code == 204
    body = client.get(f"{BASE}/ga/my-agenda").json()
    assert [e["session_code"] for e in body] == ["workshop"]
    assert client.delete(f"{BASE}/ga/my-agenda/workshop").status_code == 204
    assert client.get(f"{BASE}/ga/my-agenda").json() == []


def test_my_agenda_is_the_callers_own(assembly, workshop, delegate):
    other = DelegateFactory(assembly=assembly, email="other@example.org")
    AgendaChoice.objects.create(delegate=other, session=workshop)
    assert client_for(delegate.user).get(f"{BASE}/ga/my-agenda").json() == []


def test_my_agenda_needs_a_delegate(client, assembly, desk_client):
    assert client.get(f"{BASE}/ga/my-agenda").status_code == 401
    assert desk_client.get(f"{BASE}/ga/my-agenda").status_code == 403


def test_feed_urls_carry_the_filter_and_the_personal_token(client, assembly, delegate):
    public = client.get(f"{BASE}/ga/feeds?kind=tour").json()
    assert public["public"] == "http://testserver/a/ga/programme.ics?kind=tour"
    assert public["public_webcal"] == "webcal://testserver/a/ga/programme.ics?kind=tour"
    assert public["personal"] is None
    mine = client_for(delegate.user).get(f"{BASE}/ga/feeds").json()
    assert mine["personal"].startswith("http://testserver/a/ga/feeds/")
    assert client.get(mine["personal"].removeprefix("http://testserver")).status_code == 200


def test_reset_feed_over_the_api_kills_the_old_address(assembly, delegate):
    client = client_for(delegate.user)
    old = client.get(f"{BASE}/ga/feeds").json()["personal"]
    new = client.post(f"{BASE}/ga/feeds/personal/reset").json()["personal"]
    assert new != old
    assert Client().get(old.removeprefix("http://testserver")).status_code == 404


def test_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/assemblies/{slug}/sessions" in paths
    assert "/api/v1/assemblies/{slug}/sessions/{code}" in paths
    assert "/api/v1/assemblies/{slug}/my-agenda" in paths
    assert "/api/v1/assemblies/{slug}/feeds" in paths
