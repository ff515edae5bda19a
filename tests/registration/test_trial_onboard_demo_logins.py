"""`demo_logins --assembly <slug>`: fresh links for one's own assembly, a clear word otherwise."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command

from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


def logins(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_logins", *args, stdout=out)
    return out.getvalue()


def test_links_are_printed_for_the_approved_delegates_of_the_assembly_named(
    client, assembly, member, secretariat_user
):
    DelegateFactory(assembly=assembly, member=member, full_name="Oliver Smith", state="approved")
    DelegateFactory(assembly=assembly, member=member, full_name="Still Waiting", state="submitted")
    out = logins("--assembly", "ga")
    assert "Plenary is serving Test General Assembly" in out
    assert "Oliver Smith" in out
    assert "Still Waiting" not in out
    assert f"secretariat  {secretariat_user.username}" in out
    assert "plenary-demo" not in out  # the demo's password is not this assembly's
    link = urlsplit(re.search(r"(http\S+/login/link/\S+)", out).group(1))
    assert client.get(f"{link.path}?{link.query}").status_code == 200  # the confirm tap


def test_an_assembly_that_does_not_exist_is_named_with_the_ones_that_do(assembly):
    with pytest.raises(CommandError) as refused:
        logins("--assembly", "erf-ga-2027")
    assert "No assembly is called 'erf-ga-2027'" in str(refused.value)
    assert "Its assemblies: ga." in str(refused.value)


def test_without_the_option_it_still_looks_for_the_demo_and_says_so(db):
    with pytest.raises(CommandError) as refused:
        logins()
    assert "No assembly is called 'wego-ga-2023'" in str(refused.value)
