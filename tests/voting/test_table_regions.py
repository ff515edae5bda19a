"""Tables that scroll sideways on a phone are named regions a keyboard reaches."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def table_boxes(page: str) -> list[str]:
    return re.findall(r'<div class="table-wrap"[^>]*>', page)


@pytest.mark.parametrize("name", ["voting-presence", "voting-proxies"])
def test_secretariat_tables_are_named_regions_in_the_tab_order(secretariat_client, assembly, name):
    page = secretariat_client.get(reverse(name, args=[assembly.slug])).content.decode()
    boxes = table_boxes(page)
    assert boxes
    for box in boxes:
        assert 'tabindex="0"' in box
        assert 'role="region"' in box
        named_by = re.search(r'aria-labelledby="([^"]+)"', box)
        assert named_by
        assert f'id="{named_by.group(1)}"' in page
