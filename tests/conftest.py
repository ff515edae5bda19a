"""Fixtures shared by every test folder, built from the factories."""

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from assembly.live import stop_state_reader
from assembly.models import Role
from assembly.services import issue_api_token
from tests.factories import (
    AssemblyFactory,
    CheckpointFactory,
    DelegateFactory,
    MemberFactory,
    StaffRoleFactory,
    UserFactory,
)
from voting.audit import wait_for_links

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://… "
    "(SQLite serialises writers, so it cannot show the race)",
)


@pytest.fixture(scope="session", autouse=True)
def close_database_pools(django_db_setup, django_db_blocker):
    """Close psycopg's pool before the test database is dropped (threads borrow from it)."""
    yield
    with django_db_blocker.unblock():
        wait_for_links()  # a background audit link still queued runs while the database is here
        stop_state_reader()  # its thread gives its connection back
        for connection in connections.all():
            if getattr(connection, "pool", None) is not None:
                connection.close_pool()


@pytest.fixture(scope="class")
def loaded_demo(request, django_db_setup, django_db_blocker):
    """The WeGO demo loaded once for a class of tests that read it, rolled back after them.

    Loading it takes seconds; each test still runs in a savepoint of its own (the db
    fixture), so what one test changes the next does not see. The class may set
    `demo_options` (load_demo's keywords).
    """
    from assembly.demo import load_demo

    options = getattr(request.cls, "demo_options", {})
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(**options)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def audit_links_in_the_committing_thread(settings):
    """Audit entries linked by the committing thread: a background link could outlive its
    test. The race test that exercises the background linker turns it on and waits."""
    settings.AUDIT_LINK_IN_BACKGROUND = False


@pytest.fixture
def assembly(db):
    assembly = AssemblyFactory(slug="ga", name="Test General Assembly")
    CheckpointFactory(assembly=assembly, code="entrance", name="Entrance", kind="entrance")
    CheckpointFactory(
        assembly=assembly, code="plenary", name="Plenary hall", kind="plenary", is_voting=True
    )
    return assembly


@pytest.fixture
def other_assembly(db):
    return AssemblyFactory(slug="other", name="Another Assembly")


@pytest.fixture
def member(db):
    return MemberFactory(name="Seoul")


@pytest.fixture
def delegate(assembly, member):
    return DelegateFactory(assembly=assembly, member=member, full_name="Kim Seo-yeon")


def staff_user(assembly, role: Role, username: str):
    user = UserFactory(username=username)
    StaffRoleFactory(assembly=assembly, user=user, role=role)
    return user


@pytest.fixture
def secretariat_user(assembly):
    return staff_user(assembly, Role.SECRETARIAT, "secretariat")


@pytest.fixture
def desk_user(assembly):
    return staff_user(assembly, Role.DESK, "desk")


@pytest.fixture
def chair_user(assembly):
    return staff_user(assembly, Role.CHAIR, "chair")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def secretariat_client(secretariat_user):
    return client_for(secretariat_user)


@pytest.fixture
def desk_client(desk_user):
    return client_for(desk_user)


@pytest.fixture
def chair_client(chair_user):
    return client_for(chair_user)


@pytest.fixture
def delegate_client(delegate):
    return client_for(delegate.user)


@pytest.fixture
def desk_token(desk_user):
    _token, raw = issue_api_token(user=desk_user, name="Desk 1")
    return raw


@pytest.fixture
def bearer(desk_token):
    return {"HTTP_AUTHORIZATION": f"Bearer {desk_token}"}


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright keeps an event loop running in the main thread for the
    rest of the session, which async tests collected after it would trip over."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture
def office_user(assembly):
    """The secretariat in the admin: staff with the apps' model permissions, not a superuser,
    secretariat of the test assembly (the admin opens only the assemblies one runs)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="office", is_staff=True)
    apps = ["assembly", "agenda", "registration", "voting", "badges", "mailer"]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=apps))
    StaffRoleFactory(assembly=assembly, user=user, role=Role.SECRETARIAT)
    return user


@pytest.fixture
def office_client(office_user):
    return client_for(office_user)


def admin_form_values(html: str) -> dict[str, str]:
    """The values an admin change form shows in its text inputs, as a browser would send them."""
    import re
    from html import unescape

    found = re.findall(r'<input type="text" name="([\w-]+)" value="([^"]*)"', html)
    return {name: unescape(value) for name, value in found}
