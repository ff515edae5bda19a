"""The voting admin keeps motions to their assembly, their rules fixed once voted on, audited,
and the quorum it shows current."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assembly.models import Checkpoint
from sessions.models import AgendaItem
from tests.agenda.factories import SessionFactory
from tests.factories import AssemblyFactory, MemberFactory
from tests.voting.factories import draft_poll, ga_body
from voting.export import audit_export
from voting.models import AuditEntry, BodyQuorum, GoverningBody, Motion
from voting.presence import set_online_presence
from voting.services import close_poll, open_poll, publish_poll
from voting.verify import verify_export

pytestmark = pytest.mark.django_db

MOTION_ADD = "admin:voting_motion_add"


def motion_form(body, candidates=(), **changes):
    data = {
        "assembly": body.assembly_id,
        "body": body.pk,
        "code": "budget",
        "kind": "resolution",
        "title": "Approve the budget",
        "text": "",
        "majority": "simple",
        "seats": 0,
        "runoff_rule": "leading",
        "agenda_item_number": "",
        "agenda_item": "",
        "candidates-TOTAL_FORMS": len(candidates),
        "candidates-INITIAL_FORMS": 0,
        "candidates-MIN_NUM_FORMS": 0,
        "candidates-MAX_NUM_FORMS": 1000,
    }
    for n, name in enumerate(candidates):
        data.update({f"candidates-{n}-name": name, f"candidates-{n}-position": n})
    return {**data, **changes}


def motion_change_form(motion, **changes):
    data = motion_form(motion.body, code=motion.code, title=motion.title)
    data.update(kind=motion.kind, majority=motion.majority, seats=motion.seats)
    return {**data, **changes}


def test_admin_refuses_a_motion_on_another_assemblys_body(office_client, assembly):
    theirs = ga_body(AssemblyFactory(slug="theirs", name="Their Assembly"))
    response = office_client.post(reverse(MOTION_ADD), motion_form(theirs, assembly=assembly.pk))
    assert response.status_code == 200
    assert "General Assembly belongs to another assembly." in response.content.decode()
    assert not Motion.objects.exists()


def test_admin_refuses_a_motion_under_another_assemblys_agenda_item(office_client, body):
    elsewhere = SessionFactory(assembly=AssemblyFactory(slug="elsewhere"), code="x")
    item = AgendaItem.objects.create(session=elsewhere, order=1, number="7", title="Their item")
    response = office_client.post(reverse(MOTION_ADD), motion_form(body, agenda_item=item.pk))
    assert response.status_code == 200
    assert "Their item belongs to another assembly." in response.content.decode()
    assert not Motion.objects.exists()


def test_admin_adds_a_motion_through_the_service_with_its_audit_entry(office_client, body):
    response = office_client.post(reverse(MOTION_ADD), motion_form(body))
    assert response.status_code == 302, response.content.decode()[-2000:]
    motion = Motion.objects.get(code="budget")
    created = AuditEntry.objects.get(event="motion.created")
    assert json.loads(created.body)["data"]["motion"] == motion.pk


@pytest.mark.parametrize(
    ("kind", "seats", "candidates", "message"),
    [
        ("election", 1, [], "An election needs at least one seat and one candidate."),
        ("resolution", 0, ["Kampala"], "A resolution has no seats and no candidates."),
    ],
)
def test_admin_refuses_a_motion_whose_candidates_do_not_fit_its_kind(
    office_client, body, kind, seats, candidates, message
):
    data = motion_form(body, candidates, kind=kind, seats=seats)
    response = office_client.post(reverse(MOTION_ADD), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Motion.objects.exists()


def test_admin_cannot_change_the_majority_once_the_result_is_published(
    office_client, motion, present_voters, chair_user
):
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    change = reverse("admin:voting_motion_change", args=[motion.pk])
    data = motion_change_form(motion, majority="two_thirds_cast", title="Adopt the final agenda")
    response = office_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    motion.refresh_from_db()
    assert (motion.majority, motion.title) == ("simple", "Adopt the final agenda")
    changed = json.loads(AuditEntry.objects.get(event="motion.changed").body)["data"]
    assert changed["changed"] == ["title"]
    problems, checked = verify_export(audit_export(motion.assembly))
    assert (problems, len(checked)) == ([], 1)


def test_admin_changes_a_draft_motions_majority_and_audits_it(office_client, motion):
    draft_poll(motion)
    change = reverse("admin:voting_motion_change", args=[motion.pk])
    response = office_client.post(change, motion_change_form(motion, majority="two_thirds_cast"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    motion.refresh_from_db()
    assert motion.majority == "two_thirds_cast"
    changed = json.loads(AuditEntry.objects.get(event="motion.changed").body)["data"]
    assert (changed["changed"], changed["majority"]) == (["majority"], "two_thirds_cast")


def test_a_body_added_in_the_admin_shows_its_quorum_at_once(office_client, assembly):
    members = [MemberFactory() for _ in range(3)]
    data = {
        "assembly": assembly.pk,
        "code": "excom",
        "name": "Executive Committee",
        "description": "",
        "kind": "listed",
        "presence_required": "on",
        "seats-TOTAL_FORMS": 3,
        "seats-INITIAL_FORMS": 0,
        "seats-MIN_NUM_FORMS": 0,
        "seats-MAX_NUM_FORMS": 1000,
    }
    for n, member in enumerate(members):
        data.update({f"seats-{n}-member": member.pk, f"seats-{n}-weight": 1})
    response = office_client.post(reverse("admin:voting_governingbody_add"), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    quorum = BodyQuorum.objects.get(body=GoverningBody.objects.get(code="excom"))
    assert (quorum.eligible, quorum.present) == (3, 0)


def assembly_form(assembly, **changes):
    data = {
        "name": assembly.name,
        "slug": assembly.slug,
        "organisation": "",
        "contact_email": "",
        "city": assembly.city,
        "country": "",
        "venue": assembly.venue,
        "venue_address": "",
        "time_zone": assembly.time_zone,
        "start_date": assembly.start_date.isoformat(),
        "end_date": assembly.end_date.isoformat(),
        "voting_member_kinds": list(assembly.voting_member_kinds),
        "voting_membership_types": list(assembly.voting_membership_types),
        "voting_requires_dues_paid": "on",
        "quorum_kind": assembly.quorum_kind,
        "quorum_fraction": str(assembly.quorum_fraction),
        "quorum_absolute": "",
        "online_presence_counts": "on",
        "max_proxies_per_holder": 1,
        "staff_roles-TOTAL_FORMS": 0,
        "staff_roles-INITIAL_FORMS": 0,
        "staff_roles-MIN_NUM_FORMS": 0,
        "staff_roles-MAX_NUM_FORMS": 1000,
    }
    checkpoints = list(Checkpoint.objects.filter(assembly=assembly))
    data.update(
        {
            "checkpoints-TOTAL_FORMS": len(checkpoints),
            "checkpoints-INITIAL_FORMS": len(checkpoints),
            "checkpoints-MIN_NUM_FORMS": 0,
            "checkpoints-MAX_NUM_FORMS": 1000,
        }
    )
    for n, checkpoint in enumerate(checkpoints):
        prefix = f"checkpoints-{n}-"
        data.update({prefix + "id": checkpoint.pk, prefix + "assembly": assembly.pk})
        data.update({prefix + "code": checkpoint.code, prefix + "name": checkpoint.name})
        data.update({prefix + "kind": checkpoint.kind})
        if checkpoint.is_voting:
            data[prefix + "is_voting"] = "on"
    return {**data, **changes}


def test_a_stricter_quorum_rule_set_in_the_admin_shows_at_once(
    office_client, assembly, body, present_voters, chair_user
):
    assert BodyQuorum.objects.get(body=body).status == "reached"
    change = reverse("admin:assembly_assembly_change", args=[assembly.pk])
    data = assembly_form(assembly, quorum_kind="absolute", quorum_absolute=6)
    response = office_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert BodyQuorum.objects.get(body=body).status != "reached"


def test_online_presence_no_longer_counting_is_recounted(office_client, assembly, body, voters):
    for delegate in voters:
        set_online_presence(delegate=delegate, present=True, by=None, at=timezone.now())
    assert BodyQuorum.objects.get(body=body).present == 5
    change = reverse("admin:assembly_assembly_change", args=[assembly.pk])
    data = assembly_form(assembly)
    del data["online_presence_counts"]
    assert office_client.post(change, data).status_code == 302
    assert BodyQuorum.objects.get(body=body).present == 0


def member_form(member, **changes):
    data = {
        "name": member.name,
        "kind": member.kind,
        "country": member.country,
        "region": member.region,
        "membership_type": member.membership_type,
        "membership_status": member.membership_status,
        "dues_paid": "on" if member.dues_paid else "",
        "population": member.population or "",
        "contact_email": member.contact_email,
    }
    return {key: value for key, value in {**data, **changes}.items() if value != ""}


def test_dues_marked_unpaid_in_the_admin_take_the_member_out_of_the_quorum_at_once(
    office_client, assembly, body, present_voters
):
    quorum = BodyQuorum.objects.get(body=body)
    assert (quorum.eligible, quorum.present) == (5, 5)
    member = present_voters[0].accreditations.get().member
    change = reverse("admin:assembly_memberorganization_change", args=[member.pk])
    response = office_client.post(change, member_form(member, dues_paid=""))
    assert response.status_code == 302, response.content.decode()[-2000:]
    quorum.refresh_from_db()
    assert (quorum.eligible, quorum.present) == (4, 4)


def test_admin_keeps_a_motion_whose_polls_the_audit_log_names(office_client, motion):
    poll = draft_poll(motion)
    delete = reverse("admin:voting_motion_delete", args=[motion.pk])
    assert office_client.get(delete).status_code == 403
    assert office_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = office_client.get(reverse("admin:voting_motion_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert Motion.objects.filter(pk=motion.pk).exists()
    assert verify_export(audit_export(poll.assembly))[0] == []


def test_admin_deletes_a_motion_nobody_has_polled(office_client, motion):
    delete = reverse("admin:voting_motion_delete", args=[motion.pk])
    assert office_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Motion.objects.filter(pk=motion.pk).exists()


def test_dues_marked_unpaid_on_the_last_evening_of_an_assembly_west_of_utc_count_at_once(
    office_client, assembly, body, present_voters, monkeypatch
):
    # At 01:00 UTC it is still the evening before in Los Angeles: the assembly's last day,
    # which the admin read as over (the UTC date), and the quorum kept the member.
    one_utc = timezone.now().replace(hour=1, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: one_utc)
    assembly.time_zone = "America/Los_Angeles"
    assembly.end_date = one_utc.astimezone(assembly.zone).date()
    assembly.start_date = assembly.end_date - timedelta(days=2)
    assembly.save()
    member = present_voters[0].accreditations.get().member
    change = reverse("admin:assembly_memberorganization_change", args=[member.pk])
    response = office_client.post(change, member_form(member, dues_paid=""))
    assert response.status_code == 302, response.content.decode()[-2000:]
    quorum = BodyQuorum.objects.get(body=body)
    assert (quorum.eligible, quorum.present) == (4, 4)


def test_who_votes_is_ticked_in_boxes_and_saved_as_the_rule(office_client, assembly, body):
    change = reverse("admin:assembly_assembly_change", args=[assembly.pk])
    page = office_client.get(change).content.decode()
    assert 'type="checkbox" name="voting_member_kinds" value="institution"' in page
    data = assembly_form(assembly, voting_member_kinds=["local_government", "institution"])
    response = office_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assembly.refresh_from_db()
    assert assembly.voting_member_kinds == ["local_government", "institution"]
    refused = office_client.post(change, assembly_form(assembly, voting_member_kinds=["full"]))
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
