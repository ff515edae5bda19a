"""Presence at the voting checkpoint: the badges app calls these on every accepted scan there."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from registration.models import Delegate
from voting.models import DelegatePresence


def _set_presence(*, delegate: Delegate, at: datetime, **fields: object) -> DelegatePresence:
    with transaction.atomic():
        presence, created = DelegatePresence.objects.select_for_update().get_or_create(
            delegate=delegate,
            defaults={"assembly_id": delegate.assembly_id, "changed_at": at, **fields},
        )
        if not created:
            for name, value in fields.items():
                setattr(presence, name, value)
            presence.changed_at = at
            presence.save(update_fields=[*fields, "changed_at"])
    return presence


def record_hall_entry(*, delegate: Delegate, at: datetime) -> DelegatePresence:
    """An accepted "in" scan at the voting checkpoint: the delegate is in the hall."""
    return _set_presence(delegate=delegate, at=at, in_hall=True)


def record_hall_exit(*, delegate: Delegate, at: datetime) -> DelegatePresence:
    """An accepted "out" scan at the voting checkpoint: the delegate has left the hall."""
    return _set_presence(delegate=delegate, at=at, in_hall=False)


def set_online_presence(
    *, delegate: Delegate, present: bool, at: datetime, by: AbstractBaseUser | None
) -> DelegatePresence:
    """The secretariat (or the delegate's own online check-in) marks online presence."""
    return _set_presence(delegate=delegate, at=at, online=present, online_confirmed_by=by)
