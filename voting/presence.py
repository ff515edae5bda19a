"""Presence at the voting checkpoint and the quorum it makes, kept current one change at a time.

The badges app calls record_hall_entry / record_hall_exit inside its scan transaction for
accepted scans at the voting checkpoint; the secretariat (or the delegate, where allowed) calls
set_online_presence. Each call touches only the members that delegate acts for, and each body's
running figures move by that member alone (no recount of all members per scan).
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assembly.models import Assembly, MemberOrganization
from registration.models import Accreditation, Delegate
from voting.audit import append_audit_after_commit
from voting.live import publish_quorum
from voting.models import (
    BodyQuorum,
    DelegatePresence,
    GoverningBody,
    MemberPresence,
    Proxy,
    ProxyState,
    QuorumStatus,
)
from voting.selectors import (
    electorate,
    member_in_body,
    member_is_present,
    members_affected_by,
    seat_weights,
)


def _status(*, body: GoverningBody, quorum: BodyQuorum) -> str:
    needed = body.quorum_needed(quorum.eligible)
    if quorum.eligible and quorum.present >= needed:
        return QuorumStatus.REACHED
    return QuorumStatus.LOST if quorum.ever_reached else QuorumStatus.NOT_REACHED


def _broadcast_quorum(body: GoverningBody, quorum: BodyQuorum) -> None:
    # Coalesced: a queue of scans becomes a few messages a second, read fresh when sent.
    publish_quorum(assembly_id=body.assembly_id)


def recount_quorum(*, body: GoverningBody) -> BodyQuorum:
    """Recount a body's figures from scratch (setup, electorate edits, poll open and close)."""
    assembly = body.assembly
    now = timezone.now()
    with transaction.atomic():
        quorum, _created = BodyQuorum.objects.get_or_create(body=body, defaults={"changed_at": now})
        quorum = BodyQuorum.objects.select_for_update().get(pk=quorum.pk)
        weights = seat_weights(body)
        present_ids = set(
            MemberPresence.objects.filter(assembly=assembly, present=True).values_list(
                "member_id", flat=True
            )
        )
        figures = {"eligible": 0, "eligible_weight": 0, "present": 0, "present_weight": 0}
        population = {"present": 0, "eligible": 0}
        by_region: dict[str, list[int]] = {}
        for member_id, region, people in electorate(body).values_list("pk", "region", "population"):
            weight = weights.get(member_id, 1)
            here = member_id in present_ids
            figures["eligible"] += 1
            figures["eligible_weight"] += weight
            population["eligible"] += people or 0
            counts = by_region.setdefault(region, [0, 0])
            counts[1] += 1
            if here:
                figures["present"] += 1
                figures["present_weight"] += weight
                population["present"] += people or 0
                counts[0] += 1
        before = (quorum.present, quorum.eligible, quorum.status, quorum.by_region)
        for name, value in figures.items():
            setattr(quorum, name, value)
        quorum.present_population = population["present"]
        quorum.eligible_population = population["eligible"]
        quorum.by_region = by_region
        quorum.status = _status(body=body, quorum=quorum)
        quorum.ever_reached = quorum.ever_reached or quorum.status == QuorumStatus.REACHED
        if before != (quorum.present, quorum.eligible, quorum.status, quorum.by_region):
            quorum.changed_at = now
            _broadcast_quorum(body, quorum)
        quorum.save()
    return quorum


def _shift_quorum(
    *, body: GoverningBody, member: MemberOrganization, step: int, at: datetime
) -> None:
    """Move one body's figures by one member (+1 present, -1 absent) under the row's lock."""
    quorum = BodyQuorum.objects.select_for_update().filter(body=body).first()
    if quorum is None:
        recount_quorum(body=body)  # first use: the member's new presence is already stored
        return
    weight = seat_weights(body).get(member.pk, 1)
    quorum.present = max(0, quorum.present + step)
    quorum.present_weight = max(0, quorum.present_weight + step * weight)
    quorum.present_population = max(0, quorum.present_population + step * (member.population or 0))
    by_region = dict(quorum.by_region)
    counts = list(by_region.get(member.region, [0, 0]))
    counts[0] = max(0, counts[0] + step)
    by_region[member.region] = counts
    quorum.by_region = by_region
    quorum.status = _status(body=body, quorum=quorum)
    quorum.ever_reached = quorum.ever_reached or quorum.status == QuorumStatus.REACHED
    quorum.changed_at = at
    quorum.save()
    _broadcast_quorum(body, quorum)


def refresh_member_presence(
    *, assembly: Assembly, member_id: int, at: datetime | None = None
) -> bool:
    """Recompute one member's presence; when it flips, move every body it sits in. Returns it.

    Call this after anything that changes who acts for the member (an accreditation granted or
    ended, a proxy approved or revoked).
    """
    at = at or timezone.now()
    with transaction.atomic(savepoint=False):
        row, _created = MemberPresence.objects.select_for_update().get_or_create(
            assembly=assembly, member_id=member_id, defaults={"present": False, "changed_at": at}
        )
        present = member_is_present(assembly=assembly, member_id=member_id)
        if present == row.present:
            return present
        row.present = present
        row.changed_at = at
        row.save(update_fields=["present", "changed_at"])
        member = MemberOrganization.objects.get(pk=member_id)
        for body in GoverningBody.objects.filter(assembly=assembly).select_related("assembly"):
            if member_in_body(body=body, member_id=member_id):
                _shift_quorum(body=body, member=member, step=1 if present else -1, at=at)
    return present


def recount_assembly_quorum(*, assembly: Assembly) -> list[BodyQuorum]:
    """After the assembly's voting rules change: every represented member's presence again,
    then every body recounted; the figures are published even when only the number needed moved.
    """
    with transaction.atomic():
        represented = set(
            MemberPresence.objects.filter(assembly=assembly).values_list("member_id", flat=True)
        )
        represented |= set(
            Accreditation.objects.filter(assembly=assembly, ended_at__isnull=True).values_list(
                "member_id", flat=True
            )
        )
        represented |= set(
            Proxy.objects.filter(assembly=assembly, state=ProxyState.APPROVED).values_list(
                "member_id", flat=True
            )
        )
        for member_id in sorted(represented):
            refresh_member_presence(assembly=assembly, member_id=member_id)
        bodies = GoverningBody.objects.filter(assembly=assembly).select_related("assembly")
        quorums = [recount_quorum(body=body) for body in bodies]
        publish_quorum(assembly_id=assembly.pk)
    return quorums


def _set_presence(*, delegate: Delegate, at: datetime, **fields: object) -> DelegatePresence:
    # No savepoint: inside a scan's transaction any failure aborts the scan as a whole.
    with transaction.atomic(savepoint=False):
        if set(fields) == {"in_hall"}:
            presence = DelegatePresence.objects.cross_hall(
                delegate_id=delegate.pk,
                assembly_id=delegate.assembly_id,
                in_hall=bool(fields["in_hall"]),
                at=at,
            )
            if presence is not None:
                _presence_changed(delegate=delegate, presence=presence, at=at)
                return presence
        presence, created = DelegatePresence.objects.select_for_update().get_or_create(
            delegate=delegate,
            defaults={"assembly_id": delegate.assembly_id, "changed_at": at, **fields},
        )
        changed = created
        if not created:
            changed = any(getattr(presence, name) != value for name, value in fields.items())
            for name, value in fields.items():
                setattr(presence, name, value)
            presence.changed_at = at
            presence.save(update_fields=[*fields, "changed_at"])
        if changed:
            _presence_changed(delegate=delegate, presence=presence, at=at)
    return presence


def _presence_changed(*, delegate: Delegate, presence: DelegatePresence, at: datetime) -> None:
    member_ids = members_affected_by(delegate)
    if member_ids:
        assembly = Assembly.objects.get(pk=delegate.assembly_id)
        for member_id in member_ids:
            refresh_member_presence(assembly=assembly, member_id=member_id, at=at)
    append_audit_after_commit(
        assembly_id=delegate.assembly_id,
        event="presence.changed",
        data={"delegate": delegate.pk, "in_hall": presence.in_hall, "online": presence.online},
    )


def record_hall_entry(*, delegate: Delegate, at: datetime) -> DelegatePresence:
    """An accepted "in" scan at the voting checkpoint: the delegate is in the hall."""
    return _set_presence(delegate=delegate, at=at, in_hall=True)


def record_hall_exit(*, delegate: Delegate, at: datetime) -> DelegatePresence:
    """An accepted "out" scan at the voting checkpoint: the delegate has left the hall."""
    return _set_presence(delegate=delegate, at=at, in_hall=False)


def end_all_presence(*, assembly: Assembly, at: datetime) -> set[int]:
    """Nobody in the hall or online any more (the day is over): the delegates it ended for."""
    present = DelegatePresence.objects.filter(
        Q(in_hall=True) | Q(online=True), assembly=assembly
    ).select_related("delegate")
    ended = set()
    for presence in present:
        _set_presence(delegate=presence.delegate, at=at, in_hall=False, online=False)
        ended.add(presence.delegate_id)
    return ended


def set_online_presence(
    *, delegate: Delegate, present: bool, at: datetime, by: AbstractBaseUser | None
) -> DelegatePresence:
    """The secretariat (or the delegate's own online check-in) marks online presence."""
    return _set_presence(delegate=delegate, at=at, online=present, online_confirmed_by=by)
