"""The members table box scrolls sideways on a phone: it is a named region keyboards reach."""

from django.urls import reverse


def test_members_table_box_is_a_region_named_by_the_caption(secretariat_client, assembly, member):
    page = secretariat_client.get(reverse("member-list", args=[assembly.slug])).content.decode()
    assert (
        '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="members-caption">'
        in page
    )
    assert '<caption id="members-caption" class="visually-hidden">Members</caption>' in page
