"""Every page names its icon, so browsers stop asking for a /favicon.ico that is not there."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_link_an_icon_that_is_served(assembly):
    page = Client().get(f"/a/{assembly.slug}/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert icon is not None
    served = Client().get(icon.group(1))
    assert served.status_code == 200
    assert b"<svg" in b"".join(served.streaming_content)
