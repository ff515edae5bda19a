"""The secretariat imports a file longer than one part: confirm, then a progress bar that
follows the import in the background until it says all were imported (found by a tester: a
long confirm had held the page, and the database, for over a minute)."""

import pytest

from registration import imports
from registration.models import Delegate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def test_a_long_import_shows_its_progress_and_ends_with_all_rows_imported(
    live_server, browser, assembly, secretariat_user, settings, monkeypatch, tmp_path
):
    settings.IMPORTS_IN_BACKGROUND = True
    monkeypatch.setattr(imports, "IMPORT_PART", 20)
    monkeypatch.setattr(imports, "LOCK_SHARE", 2.0)  # slow enough to see it running
    people = tmp_path / "people.csv"
    people.write_text(
        "full_name,email,role,,\n"  # Excel's empty columns after the last name are read
        + "".join(f"Person {n},person{n}@x.example,observer,,\n" for n in range(120))
    )
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    office = context.new_page()
    office.goto(f"{live_server.url}/login/")
    office.get_by_label("Username").fill("secretariat")
    office.get_by_label("Password").fill("pw-for-tests")
    office.get_by_role("button", name="Log in").click()
    office.goto(f"{live_server.url}/a/{assembly.slug}/secretariat/import/")
    office.get_by_label("CSV file").set_input_files(str(people))
    office.get_by_role("button", name="Check the file").click()
    office.get_by_text("All 120 rows are ready.").wait_for()
    office.get_by_role("button", name="Confirm the import").click()

    office.get_by_role("heading", name="Import of registrations").wait_for()
    bar = office.locator("progress#import-bar")
    bar.wait_for(timeout=10_000)
    office.get_by_text("All 120 registrations were imported.").wait_for(timeout=60_000)
    assert Delegate.objects.filter(email__startswith="person").count() == 120
    office.get_by_role("link", name="All registrations").click()
    office.get_by_text("Person 119").wait_for()
    context.close()
