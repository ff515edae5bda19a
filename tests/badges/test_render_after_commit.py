"""Badges are drawn by the background renderer after the commit, never in a transaction or in
the request that approved or edited the delegate; a desk's reprint is drawn before it answers."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from assembly.asgi import application
from badges import pdf
from badges import services as badge_services
from badges.models import Badge
from badges.services import (
    ensure_badge_rendered,
    reprint_badge,
    start_badge_renderer,
    token_for,
)
from registration.models import RegistrationState
from registration.services import (
    DelegateDetails,
    bulk_change_state,
    change_state,
    set_photo,
    update_registration,
)
from tests.factories import DelegateFactory
from tests.registration.conftest import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def drawings(monkeypatch):
    """Each badge document drawn: the thread that drew it and whether it was in a transaction."""
    drawn: list[tuple[str, bool]] = []
    draw = pdf.render_faces_apart

    def recorded(faces):
        drawn.append((threading.current_thread().name, connection.in_atomic_block))
        return draw(faces)

    monkeypatch.setattr(pdf, "render_faces_apart", recorded)
    return drawn


@pytest.fixture
def renderer(settings):
    """The background renderer as served (the other tests draw inline)."""
    settings.BADGES_IN_BACKGROUND = True
    yield
    badge_services._renderer.stop()
    badge_services._waiting.clear()


def shows_current_face(delegate) -> bool:
    badge = Badge.objects.filter(delegate=delegate).select_related("delegate").first()
    if badge is None or not badge.pdf:
        return False
    face = pdf.face_for(delegate=badge.delegate, token=token_for(badge))
    return badge.fingerprint == face.fingerprint()


def wait_until_drawn(*delegates, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not all(shows_current_face(delegate) for delegate in delegates):
        assert time.monotonic() < deadline, "the renderer did not draw the badges"
        time.sleep(0.05)


def approve(delegate, by):
    change_state(delegate=delegate, to_state=RegistrationState.APPROVED, by=by)


def approve_ticked(delegate, by):
    done, refused = bulk_change_state(
        assembly=delegate.assembly,
        delegate_ids=[delegate.pk],
        to_state=RegistrationState.APPROVED,
        by=by,
    )
    assert (len(done), refused) == (1, [])


def edit_title(delegate, by):
    delegate.refresh_from_db()
    details = DelegateDetails.from_data(
        {name: getattr(delegate, name) for name in DelegateDetails.names()}
    )
    details.title = "Mayor of Kampala"
    update_registration(delegate=delegate, details=details, by=by)


def new_photo(delegate, by):
    upload = SimpleUploadedFile("me.jpg", image_bytes((900, 1200)), "image/jpeg")
    set_photo(delegate=delegate, photo=upload)


@pytest.mark.parametrize("change", [approve, approve_ticked, edit_title, new_photo])
def test_the_request_that_changes_a_badge_does_not_draw_it_the_renderer_does_after_commit(
    assembly, member, secretariat_user, drawings, renderer, change
):
    state = RegistrationState.SUBMITTED if change in (approve, approve_ticked) else "approved"
    delegate = DelegateFactory(assembly=assembly, member=member, state=state)
    if state == "approved":
        ensure_badge_rendered(delegate=delegate)
        drawings.clear()

    change(delegate, secretariat_user)

    assert not [name for name, _in_transaction in drawings if name == "MainThread"]
    wait_until_drawn(delegate)
    assert drawings
    assert {(name, in_transaction) for name, in_transaction in drawings} == {
        ("badge-renderer", False)
    }


def test_many_delegates_approved_at_once_each_get_their_badge(
    assembly, member, secretariat_user, drawings, renderer, monkeypatch
):
    delegates = [
        DelegateFactory(assembly=assembly, member=member, state=RegistrationState.SUBMITTED)
        for _ in range(12)
    ]
    # The in-memory test database fails a second writer at once ("table is locked"), where a
    # served one queues it: the renderer takes its work once the approvals are written.
    approved = threading.Event()
    take = badge_services._next_delegates
    monkeypatch.setattr(badge_services, "_next_delegates", lambda: approved.wait(30) and take())

    bulk_change_state(
        assembly=assembly,
        delegate_ids=[delegate.pk for delegate in delegates],
        to_state=RegistrationState.APPROVED,
        by=secretariat_user,
    )
    approved.set()

    assert drawings == []  # the secretariat's request drew none of them
    wait_until_drawn(*delegates)
    assert {name for name, _in_transaction in drawings} == {"badge-renderer"}
    assert len(drawings) == 2  # together, DRAWN_TOGETHER to a document


def test_editing_a_field_the_badge_does_not_print_draws_nothing(
    assembly, member, secretariat_user, drawings, renderer
):
    delegate = DelegateFactory(assembly=assembly, member=member)
    before = ensure_badge_rendered(delegate=delegate).rendered_at
    drawings.clear()
    details = DelegateDetails.from_data(
        {name: getattr(delegate, name) for name in DelegateDetails.names()}
    )
    details.phone = "+82 2 120"
    update_registration(delegate=delegate, details=details, by=secretariat_user)
    badge_services._renderer.wake()
    time.sleep(0.5)  # its round has checked the badge meanwhile
    assert drawings == []
    assert Badge.objects.get(delegate=delegate).rendered_at == before


def test_a_reprint_is_drawn_before_the_desk_gets_its_answer_and_outside_the_transaction(
    assembly, delegate, desk_user, drawings, renderer
):
    ensure_badge_rendered(delegate=delegate)
    drawings.clear()

    badge = reprint_badge(assembly=assembly, delegate_id=delegate.pk, by=desk_user, reason="lost")

    assert badge.version == 2
    assert badge.pdf.read().startswith(b"%PDF")
    assert shows_current_face(delegate)
    assert drawings == [("MainThread", False)]


def test_a_badge_drawn_for_a_version_a_reprint_replaced_is_not_kept(
    assembly, delegate, desk_user, monkeypatch
):
    """The renderer draws version 1 while a desk reprints: version 2's PDF stays the badge's."""
    first = ensure_badge_rendered(delegate=delegate)
    delegate.title = "Deputy Mayor"  # a printed field: version 1 is drawn again
    delegate.save()
    draw = pdf.render_faces_apart
    reprinted = []

    def desk_reprints() -> None:
        try:
            reprint_badge(assembly=assembly, delegate_id=delegate.pk, by=desk_user, reason="torn")
        finally:
            connection.close()

    def reprint_meanwhile(faces):
        if not reprinted:
            reprinted.append(True)  # the reprint's own drawing goes straight through
            desk = threading.Thread(target=desk_reprints)
            desk.start()
            desk.join(30)
        return draw(faces)

    monkeypatch.setattr(pdf, "render_faces_apart", reprint_meanwhile)

    ensure_badge_rendered(delegate=delegate)

    badge = Badge.objects.get(delegate=delegate)
    assert badge.version == 2
    assert shows_current_face(delegate)
    assert badge.pdf.name != first.pdf.name
    assert badge.pdf.storage.exists(badge.pdf.name)


def test_the_server_starts_the_renderer_and_pango_before_it_serves():
    assert application.startup[0] is start_badge_renderer
    assert badge_services.stop_badge_rendering in application.shutdown
