"""Writes of the tour programme: sign-ups that never oversell, the waiting list, promotions.

Every change of a tour's places happens under that tour's row lock (SELECT ... FOR UPDATE),
and the `tour_never_oversold` CHECK constraint refuses any write that would exceed capacity.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from registration.emails import email_delegate, withdraw_email
from registration.errors import (
    AlreadySignedUp,
    NotSignedUp,
    TourClash,
    TourDeparted,
    TourNotOpen,
)
from registration.models import (
    Attendance,
    Delegate,
    RegistrationState,
    SignupStatus,
    Tour,
    TourSignup,
    WaitlistMove,
)

LIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


def refuse_if_left(tour: Tour, now: datetime | None = None) -> None:
    """A tour that has left takes no sign-ups and gives back no places."""
    if tour.has_left(now):
        raise TourDeparted(
            _("“%(tour)s” has already left: its places can no longer change.")
            % {"tour": tour.title}
        )


def clash_for(*, delegate: Delegate, tour: Tour) -> TourSignup | None:
    """The delegate's live sign-up for another tour overlapping this one, if any."""
    return (
        TourSignup.objects.filter(
            delegate=delegate,
            status__in=LIVE,
            tour__starts_at__lt=tour.ends_at,
            tour__ends_at__gt=tour.starts_at,
        )
        .exclude(tour=tour)
        .select_related("tour")
        .first()
    )


def sign_up(
    *, tour: Tour, delegate: Delegate, accompanied: bool = False, at: datetime | None = None
) -> TourSignup:
    """Confirm a place (two with a companion, both or none) or join the waiting list.

    Locks the delegate (their tours at one time) and then the tour (its places). Confirmed only
    while nobody waits: the waiting list is first come, first served. Refused once the tour has
    left. `at` is the moment of the sign-up, now unless the demo replays earlier ones.
    """
    places = 2 if accompanied else 1
    now = at or timezone.now()
    if delegate.assembly_id != tour.assembly_id:
        raise TourNotOpen(_("This tour belongs to another assembly."))
    refuse_if_left(tour, now)
    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
        if delegate.state != RegistrationState.APPROVED:
            raise TourNotOpen()
        if delegate.attendance != Attendance.IN_PERSON:
            raise TourNotOpen(_("Tours are for delegates attending in person."))
        clash = clash_for(delegate=delegate, tour=tour)
        if clash is not None:
            raise TourClash(
                _("“%(other)s” (%(time)s) overlaps this tour. Cancel it first to join this one.")
                % {
                    "other": clash.tour.title,
                    "time": local_span(clash.tour),
                }
            )
        # The delegate's row lock makes this check safe before the tour's lock; the partial
        # unique constraint stands behind it.
        if TourSignup.objects.filter(tour=tour, delegate=delegate, status__in=LIVE).exists():
            raise AlreadySignedUp()
        # Critical section from here to the commit: keep it to two statements after the lock.
        tour = Tour.objects.select_for_update().get(pk=tour.pk)
        refuse_if_left(tour, now)  # again: the secretariat may have moved it meanwhile
        if places > tour.capacity:
            raise TourNotOpen(
                _("This tour has only %(n)s place; come without a companion.")
                % {"n": tour.capacity}
            )
        if tour.waiting == 0 and tour.taken + places <= tour.capacity:
            status, confirmed_at = SignupStatus.CONFIRMED, now
            tour.taken += places
        else:
            status, confirmed_at = SignupStatus.WAITLISTED, None
            tour.waiting += 1
        number = tour.next_number
        tour.next_number += 1
        tour.save(update_fields=["taken", "waiting", "next_number"])
        return TourSignup.objects.create(
            tour=tour,
            delegate=delegate,
            status=status,
            places=places,
            number=number,
            confirmed_at=confirmed_at,
        )


def local_span(tour: Tour) -> str:
    """'Sun 29 Nov 10:30-13:30 (Pacific/Auckland)': the assembly's zone named, as the agenda
    names it; an end on another day carries its date."""
    return span_in_zone(tour.starts_at, tour.ends_at, tour.assembly.time_zone)


def span_in_zone(starts_at: datetime, ends_at: datetime, zone_name: str) -> str:
    zone = ZoneInfo(zone_name)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    end_text = date_format(end, "H:i")
    if end.date() != start.date():
        end_text = f"{date_format(end, 'D j M')} {end_text}"
    return f"{date_format(start, 'D j M')} {date_format(start, 'H:i')}-{end_text} ({zone_name})"


def promote_waiting(tour: Tour) -> list[TourSignup]:
    """Confirm the head of the line while places allow; the caller holds the tour's lock.

    Nobody is promoted once the tour has left: a place is no use to them then.
    """
    promoted = []
    if tour.has_left():
        return promoted
    while True:
        head = (
            TourSignup.objects.filter(tour=tour, status=SignupStatus.WAITLISTED)
            .select_related("delegate__assembly")
            .order_by("number", "pk")
            .first()
        )
        if head is None or tour.taken + head.places > tour.capacity:
            break  # a pair at the head waits for two places; nobody jumps the line
        head.status = SignupStatus.CONFIRMED
        head.confirmed_at = timezone.now()
        head.save(update_fields=["status", "confirmed_at"])
        tour.taken += head.places
        tour.waiting -= 1
        promoted.append(head)
    if promoted:
        tour.save(update_fields=["taken", "waiting"])
        for signup in promoted:
            signup.promotion_email = email_delegate(
                delegate=signup.delegate,
                template="tour_promoted",
                subject=_("A place on “%(tour)s” is yours") % {"tour": tour.title},
                context={"tour": tour, "signup": signup, "when": local_span(tour)},
            )
            if signup.promotion_email is not None:  # a cancel can withdraw it while queued
                signup.save(update_fields=["promotion_email"])
    return promoted


def cancel_signup(*, tour: Tour, delegate: Delegate) -> TourSignup:
    """Give up a place or leave the waiting list; the first in line is promoted at once.

    A promotion whose "A place is yours" still waits in the email queue (a cancel at the same
    moment as the promotion) is withdrawn with it. Refused once the tour has left: who was on
    it is then a record, not a choice.
    """
    with transaction.atomic():
        tour = Tour.objects.select_for_update().select_related("assembly").get(pk=tour.pk)
        refuse_if_left(tour)
        signup = TourSignup.objects.filter(tour=tour, delegate=delegate, status__in=LIVE).first()
        if signup is None:
            raise NotSignedUp()
        was_confirmed = signup.status == SignupStatus.CONFIRMED
        signup.status = SignupStatus.CANCELLED
        signup.cancelled_at = timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        if signup.promotion_email is not None:
            withdraw_email(signup.promotion_email)
        if was_confirmed:
            tour.taken -= signup.places
            tour.save(update_fields=["taken"])
            promote_waiting(tour)
        else:
            tour.waiting -= 1
            tour.save(update_fields=["waiting"])
    return signup


def cancel_all_signups(*, delegate: Delegate) -> int:
    """Cancel every live sign-up of a delegate whose registration ends.

    Tours that have left keep their sign-ups: the roster of who went stays as it was.
    """
    tours = Tour.objects.filter(
        signups__delegate=delegate, signups__status__in=LIVE, starts_at__gt=timezone.now()
    ).distinct()
    count = 0
    for tour in tours:
        cancel_signup(tour=tour, delegate=delegate)
        count += 1
    return count


def waiting_line(tour: Tour) -> list[TourSignup]:
    return list(
        TourSignup.objects.filter(tour=tour, status=SignupStatus.WAITLISTED).order_by(
            "number", "pk"
        )
    )


def move_in_waiting_list(
    *, signup: TourSignup, to_position: int, reason: str, by: AbstractBaseUser | None
) -> TourSignup:
    """Move a waiting sign-up to another position by hand; the move and its reason are kept."""
    reason = reason.strip()
    if not reason:
        raise TourNotOpen(_("Give a reason for changing the order."), code="reason_required")
    with transaction.atomic():
        tour = Tour.objects.select_for_update().select_related("assembly").get(pk=signup.tour_id)
        line = waiting_line(tour)
        ids = [item.pk for item in line]
        if signup.pk not in ids:
            raise NotSignedUp(_("This sign-up is not on the waiting list."))
        if not 1 <= to_position <= len(line):
            raise TourNotOpen(
                _("Choose a position between 1 and %(n)s.") % {"n": len(line)},
                code="position_out_of_range",
            )
        from_position = ids.index(signup.pk) + 1
        numbers = [item.number for item in line]
        moved = line.pop(from_position - 1)
        line.insert(to_position - 1, moved)
        # Arrival numbers are reused in the new order, so later arrivals still come after.
        for item, number in zip(line, numbers, strict=True):
            if item.number != number:
                item.number = number
                item.save(update_fields=["number"])
        WaitlistMove.objects.create(
            signup=moved,
            from_position=from_position,
            to_position=to_position,
            reason=reason[:300],
            by=by if by is not None and by.is_authenticated else None,
        )
        promote_waiting(tour)
        moved.refresh_from_db()
    return moved


def set_tour_capacity(*, tour: Tour, capacity: int) -> Tour:
    """Change the number of places; never below the places already confirmed. Promotes."""
    with transaction.atomic():
        tour = Tour.objects.select_for_update().select_related("assembly").get(pk=tour.pk)
        if capacity < tour.taken:
            raise TourNotOpen(
                _("%(n)s places are already confirmed.") % {"n": tour.taken},
                code="capacity_below_taken",
            )
        tour.capacity = capacity
        tour.save(update_fields=["capacity"])
        promote_waiting(tour)
    return tour


# What a personal calendar feed shows of a tour: a change of one is a new revision.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "meeting_point")
# What the signed-up delegates are told about: where and when to be.
MEETING_FIELDS = ("starts_at", "ends_at", "meeting_point")


def overlaps_made(*, tour: Tour, starts_at: datetime, ends_at: datetime) -> list[TourSignup]:
    """Other live sign-ups of this tour's signed-up delegates that the times would overlap:
    what sign_up refuses (TourClash), so a move must not create it either."""
    return list(
        TourSignup.objects.filter(
            status__in=LIVE,
            tour__starts_at__lt=ends_at,
            tour__ends_at__gt=starts_at,
            delegate__tour_signups__tour=tour,
            delegate__tour_signups__status__in=LIVE,
        )
        .exclude(tour=tour)
        .select_related("tour__assembly", "delegate")
        .order_by("delegate__full_name", "tour__starts_at")
    )


def describe_overlaps(clashes: list[TourSignup]) -> str:
    return _("At these times the tour would overlap other tours of its delegates: %(list)s.") % {
        "list": "; ".join(
            f"{s.delegate.full_name}: “{s.tour.title}” ({local_span(s.tour)})" for s in clashes
        )
    }


def revise_tour(*, tour: Tour, changes: dict[str, Any]) -> Tour:
    """Write the secretariat's edits of a tour (not its places) under the tour's lock.

    A change the calendar feeds show bumps the tour's revision (SEQUENCE, DTSTAMP); a new time
    or meeting point emails the delegates signed up (a "Moved" notice, queued with the change).
    Refuses times that would overlap another tour of one of its delegates (TourClash).
    """
    with transaction.atomic():
        tour = Tour.objects.select_for_update().select_related("assembly").get(pk=tour.pk)
        before = {"when": local_span(tour), "meeting_point": tour.meeting_point}
        edited = [name for name, value in changes.items() if getattr(tour, name) != value]
        for name in edited:
            setattr(tour, name, changes[name])
        if {"starts_at", "ends_at"} & set(edited):
            clashes = overlaps_made(tour=tour, starts_at=tour.starts_at, ends_at=tour.ends_at)
            if clashes:
                raise TourClash(describe_overlaps(clashes))
        if set(CALENDAR_FIELDS) & set(edited):
            tour.sequence += 1
            tour.changed_at = timezone.now()
            edited += ["sequence", "changed_at"]
        if edited:
            tour.save(update_fields=edited)
        if set(MEETING_FIELDS) & set(edited):
            tell_tour_moved(tour, before=before)
    return tour


def tell_tour_moved(tour: Tour, *, before: dict[str, str]) -> None:
    """The "Moved" notice, as a moved session's, to everyone confirmed or waiting."""
    signups = TourSignup.objects.filter(tour=tour, status__in=LIVE).select_related(
        "delegate__assembly"
    )
    context = {
        "title": tour.title,
        "when": local_span(tour),
        "meeting_point": tour.meeting_point,
        "old_when": before["when"],
        "old_meeting_point": before["meeting_point"],
    }
    for signup in signups:
        if signup.delegate.email:
            email_delegate(
                delegate=signup.delegate,
                template="tour_moved",
                subject=_("Moved: %(tour)s") % {"tour": tour.title},
                context={**context, "waiting": signup.status == SignupStatus.WAITLISTED},
            )
