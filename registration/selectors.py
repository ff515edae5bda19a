"""Reads about delegates shared by pages, the API and consumers."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count

from assembly.models import Assembly
from registration.models import Delegate, RegistrationState


def has_delegate_record(*, user: AbstractBaseUser | AnonymousUser, assembly: Assembly) -> bool:
    if not user.is_authenticated:
        return False
    return (
        Delegate.objects.filter(assembly=assembly, user=user)
        .exclude(state=RegistrationState.CANCELLED)
        .exists()
    )


def delegate_for(*, user: AbstractBaseUser | AnonymousUser, assembly: Assembly) -> Delegate | None:
    """The user's live registration at the assembly, if any."""
    if not user.is_authenticated:
        return None
    return (
        Delegate.objects.filter(assembly=assembly, user=user)
        .exclude(state=RegistrationState.CANCELLED)
        .select_related("member")
        .first()
    )


def registration_counts(assembly: Assembly) -> dict[str, int]:
    """Registrations by state, every state present (zero when none)."""
    counts = {state.value: 0 for state in RegistrationState}
    rows = Delegate.objects.filter(assembly=assembly).values("state").annotate(n=Count("id"))
    for row in rows:
        counts[row["state"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts
