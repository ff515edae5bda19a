"""CSV import with a preview and per-row errors, all or nothing; export with the filters."""

import csv
import io
import smtplib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends import locmem
from django.urls import reverse

from registration.errors import ImportInvalid
from registration.imports import decode, decoding_note, import_registrations, preview_import
from registration.models import Delegate

pytestmark = pytest.mark.django_db

GOOD = (
    "full_name,email,role,member,attendance,state\n"
    "김서연 Kim Seo-yeon,kim@seoul.example,voting_delegate,Seoul,in_person,approved\n"
    "فاطمة الهاشمي,fatima@abudhabi.example,observer,,online,\n"
)


def post_file(client, assembly, text: str | bytes, name: str = "people.csv"):
    data = text.encode() if isinstance(text, str) else text
    url = reverse("registration:import", args=[assembly.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_preview_of_a_valid_file_writes_nothing_then_confirm_writes_all(
    secretariat_client, assembly, member
):
    response = post_file(secretariat_client, assembly, GOOD)
    assert response.status_code == 200
    assert "All 2 rows are ready" in response.content.decode()
    assert Delegate.objects.count() == 0
    payload = response.context["payload"]
    url = reverse("registration:import", args=[assembly.slug])
    response = secretariat_client.post(url, {"confirm": "1", "payload": payload})
    assert response.status_code == 302
    kim = Delegate.objects.get(email="kim@seoul.example")
    assert (kim.member, kim.state, kim.source) == (member, "approved", "import")
    assert Delegate.objects.get(email="fatima@abudhabi.example").state == "submitted"


def test_semicolon_file_with_bom_is_read(assembly, member):
    raw = ("\ufeff" + GOOD.replace(",", ";")).encode()
    preview = preview_import(assembly=assembly, text=decode(raw))
    assert preview.valid
    assert [row.values["full_name"] for row in preview.rows][1] == "فاطمة الهاشمي"


def test_bad_rows_are_listed_by_line_with_reasons_and_nothing_is_written(
    secretariat_client, assembly, member
):
    text = GOOD + (
        "No Email,,observer,,,\n"
        "Bad Role,bad@x.example,king,,,\n"
        "Dup Kim,kim@seoul.example,observer,,,\n"
        "Nowhere,n@x.example,voting_delegate,Atlantis,,\n"
    )
    response = post_file(secretariat_client, assembly, text)
    assert response.status_code == 400
    preview = response.context["preview"]
    errors = {row.line: " ".join(row.errors) for row in preview.rows if not row.valid}
    assert set(errors) == {4, 5, 6, 7}
    assert "email" in errors[4]
    assert "king" in errors[5]
    assert "also on line 2" in errors[6]
    assert "Atlantis" in errors[7]
    assert "4 rows have errors" in response.content.decode()
    assert "payload" not in response.context
    assert Delegate.objects.count() == 0


def test_missing_columns_are_named(secretariat_client, assembly):
    response = post_file(secretariat_client, assembly, "person,email\nKim,kim@x.example\n")
    assert response.status_code == 400
    assert "Missing columns: full_name, role" in response.content.decode()


def test_a_file_that_is_not_utf8_is_read_as_windows_1252_and_said_so(secretariat_client, assembly):
    latin1 = "full_name,email,role\nJoão Araújo,joao@x.example,observer\n".encode("latin-1")
    response = post_file(secretariat_client, assembly, latin1)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Read as Western European (Windows-1252)" in page
    assert "João Araújo" in page
    assert Delegate.objects.count() == 0


def test_import_writes_nothing_when_a_row_became_invalid_after_the_preview(assembly, member):
    preview = preview_import(assembly=assembly, text=GOOD)
    assert preview.valid
    Delegate.objects.create(
        assembly=assembly, email="fatima@abudhabi.example", full_name="Someone Faster"
    )
    # The same address registered meanwhile is skipped as registered already, not doubled.
    (kim,) = import_registrations(assembly=assembly, text=GOOD, by=None)
    assert kim.email == "kim@seoul.example"
    assert Delegate.objects.get(email="fatima@abudhabi.example").full_name == "Someone Faster"


def test_import_writes_nothing_when_a_row_became_invalid_after_the_preview_by_its_member(
    assembly, member
):
    assert preview_import(assembly=assembly, text=GOOD).valid
    member.delete()
    with pytest.raises(ImportInvalid):
        import_registrations(assembly=assembly, text=GOOD, by=None)
    assert Delegate.objects.count() == 0


def test_tampered_confirmation_is_refused(secretariat_client, assembly):
    url = reverse("registration:import", args=[assembly.slug])
    response = secretariat_client.post(url, {"confirm": "1", "payload": "forged"})
    assert response.status_code == 400
    assert Delegate.objects.count() == 0


def test_import_page_is_for_the_secretariat_only(delegate_client, assembly):
    assert post_file(delegate_client, assembly, GOOD).status_code == 403


def test_export_follows_the_current_filters(secretariat_client, assembly, make_delegate):
    make_delegate(full_name="Approved One", state="approved")
    make_delegate(full_name="Submitted One", state="submitted")
    url = reverse("registration:export", args=[assembly.slug])
    response = secretariat_client.get(url, {"state": "submitted"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["full_name"] for row in rows] == ["Submitted One"]
    assert rows[0]["state"] == "submitted"
    assert "passport_number" not in rows[0]


def test_exported_file_imports_back_into_another_assembly(
    secretariat_client, assembly, other_assembly, make_delegate, member
):
    make_delegate(full_name="Ольга Смирнова", role="observer", member=None)
    url = reverse("registration:export", args=[assembly.slug])
    text = b"".join(secretariat_client.get(url).streaming_content).decode("utf-8-sig")
    keep = ["full_name", "email", "role", "attendance", "state"]
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=keep, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    created = import_registrations(assembly=other_assembly, text=out.getvalue(), by=None)
    assert [d.full_name for d in created] == ["Ольга Смирнова"]


def test_each_imported_person_gets_one_email_for_their_state(
    assembly, member, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        import_registrations(assembly=assembly, text=GOOD, by=None)
    subjects = sorted((m.to[0], m.subject.split(" for ")[0]) for m in mail.outbox)
    assert subjects == [
        ("fatima@abudhabi.example", "We received your registration"),
        ("kim@seoul.example", "Your registration"),
    ]
    kim = Delegate.objects.get(email="kim@seoul.example")
    assert [e.to_state for e in kim.events.all()] == ["submitted", "approved"]


def test_a_field_too_long_for_csv_is_refused_with_its_line(secretariat_client, assembly):
    text = "full_name,email,role\nKim,kim@x.example,observer\n" + "A" * 200_000 + ",a@x,observer\n"
    response = post_file(secretariat_client, assembly, text)
    assert response.status_code == 400
    assert "Line 3 cannot be read as CSV" in response.content.decode()
    assert Delegate.objects.count() == 0


def test_a_column_named_twice_is_refused_rather_than_one_value_dropped(
    secretariat_client, assembly
):
    text = "full_name,email,role,email\nKim,kim@x.example,observer,seo@x.example\n"
    response = post_file(secretariat_client, assembly, text)
    assert response.status_code == 400
    assert "Columns named more than once: email" in response.content.decode()
    assert "payload" not in response.context
    assert Delegate.objects.count() == 0


def test_a_column_without_a_name_is_pointed_out(secretariat_client, assembly):
    # Empty nameless columns after the last name are Excel's, and read (test_import_cells).
    text = "full_name,,email,role\nKim,,kim@x.example,observer\n"
    response = post_file(secretariat_client, assembly, text)
    assert response.status_code == 400
    assert "Column 2 has no name" in response.content.decode()


def test_export_escapes_formulas_and_the_file_imports_back_unchanged(
    secretariat_client, assembly, other_assembly, make_delegate
):
    formula = '=HYPERLINK("http://evil.example","x")|cmd'
    make_delegate(full_name=formula, phone="+82 2 120", member=None, role="observer")
    url = reverse("registration:export", args=[assembly.slug])
    text = b"".join(secretariat_client.get(url).streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    # A spreadsheet opening the export shows text, never runs it.
    assert row["full_name"].startswith("'=")
    assert row["phone"] == "'+82 2 120"
    keep = ["full_name", "email", "role", "attendance", "state", "phone"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=keep, extrasaction="ignore")
    writer.writeheader()
    writer.writerow(row)
    (created,) = import_registrations(assembly=other_assembly, text=out.getvalue(), by=None)
    assert (created.full_name, created.phone) == (formula, "+82 2 120")


def test_a_row_with_travel_dates_far_from_the_assembly_is_a_line_error(assembly, member):
    text = (
        "full_name,email,role,arrival_date\n"
        "Grace Namukasa,grace@kampala.example,observer,9999-12-31\n"
    )
    preview = preview_import(assembly=assembly, text=text)
    assert not preview.valid
    assert any("Travel dates" in error for error in preview.rows[0].errors)
    with pytest.raises(ImportInvalid):
        import_registrations(assembly=assembly, text=text, by=None)
    assert Delegate.objects.count() == 0


def test_addresses_already_registered_are_skipped_whatever_their_case(
    assembly, member, make_delegate
):
    make_delegate(email="Kim@Seoul.Example")  # stored as typed, before addresses were lowered
    make_delegate(email="fatima@abudhabi.example", state="cancelled")  # may register again
    text = GOOD + (
        "Kim Again,KIM@seoul.example,observer,,,\n"
        "Park Ji-ho,park@seoul.example,voting_delegate,SEOUL,,\n"
    )
    preview = preview_import(assembly=assembly, text=text)
    assert preview.valid
    skipped = {row.line: row.skip for row in preview.skipped}
    assert set(skipped) == {2, 4}
    assert "kim@seoul.example is already registered" in skipped[4]
    assert preview.rows[1].valid
    assert not preview.rows[1].skip
    assert preview.rows[3].cleaned["member"] == member  # "SEOUL" names Seoul


class RefusesOneAddress(locmem.EmailBackend):
    """The mail server refuses bounce@…; the others arrive."""

    def send_messages(self, messages):
        if any("bounce@" in to for message in messages for to in message.to):
            raise smtplib.SMTPRecipientsRefused({"bounce@x.example": (550, b"No such user")})
        return super().send_messages(messages)


def test_an_email_the_server_refuses_is_logged_and_the_others_still_go(
    assembly, member, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesOneAddress"
    text = GOOD + "Bounce,bounce@x.example,observer,,,\nLast,last@x.example,observer,,,\n"
    with django_capture_on_commit_callbacks(execute=True):
        created = import_registrations(assembly=assembly, text=text, by=None)
    assert len(created) == Delegate.objects.count() == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "fatima@abudhabi.example",
        "kim@seoul.example",
        "last@x.example",
    ]
    refused = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "bounce@x.example was not sent" in refused[0].getMessage()
    assert "3 sent, 1 not sent" in refused[-1].getMessage()


def test_import_emails_are_sent_after_the_commit_with_a_backend_outside_the_database(
    assembly, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_registrations(assembly=assembly, text=GOOD, by=None)
    assert mail.outbox == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["fatima@abudhabi.example", "kim@seoul.example"]


def test_a_row_with_a_line_separator_in_a_name_is_listed_and_nothing_is_written(assembly, member):
    text = GOOD + "Ana\u2028Pérez,ana@lima.example,observer,,,\n"
    preview = preview_import(assembly=assembly, text=text)
    assert not preview.valid
    [bad] = [row for row in preview.rows if not row.valid]
    assert "line breaks" in str(bad.errors)
    with pytest.raises(ImportInvalid):
        import_registrations(assembly=assembly, text=text, by=None)
    assert not Delegate.objects.exists()


# Found by a tester: messages a secretariat volunteer could not act on.


def test_a_file_with_blank_lines_or_excels_separator_line_before_the_header_is_read(
    assembly, member
):
    for prefix, text in [
        ("\n\n", GOOD),
        ("sep=;\n", GOOD.replace(",", ";")),
        ("sep=,\n\n", GOOD),
    ]:
        preview = preview_import(assembly=assembly, text=prefix + text)
        assert preview.valid, prefix
        assert [row.line for row in preview.rows] == [
            prefix.count("\n") + 2,
            prefix.count("\n") + 3,
        ]


def test_an_unclosed_quote_is_named_with_its_line(assembly, member):
    text = GOOD + 'Ana "the boss,ana@lima.example,observer,,,\nLast,last@x.example,observer,,,\n'
    preview = preview_import(assembly=assembly, text=text.replace('Ana "', '"Ana '))
    [bad] = [row for row in preview.rows if not row.valid]
    assert bad.line == 4
    assert 'A quote (") opens here and is not closed before line 5' in bad.errors[0]


def test_a_role_written_as_its_label_is_taken_and_a_wrong_one_lists_the_choices(assembly, member):
    text = (
        "full_name,email,role\n"
        "Ana Pérez,ana@lima.example,Observer\n"
        "Bo Li,bo@x.example,Voting Delegate\n"
        "Cy Tan,cy@x.example,speaker\n"
    )
    preview = preview_import(assembly=assembly, text=text)
    assert preview.rows[0].cleaned["role"] == "observer"
    assert "voting delegate or alternate needs a member" in " ".join(preview.rows[1].errors)
    assert "“speaker” is not one of: voting_delegate, alternate, observer" in " ".join(
        preview.rows[2].errors
    )


def test_a_file_that_is_not_utf8_names_the_line(assembly):
    raw = "full_name,email,role\nAna,ana@x.example,observer\nJoão,joao@x.example,observer\n"
    assert decode(raw.encode("latin-1")) == raw
    assert "line 3" in decoding_note(raw.encode("latin-1"))


def test_an_export_imports_as_it_is_into_another_assembly(
    secretariat_client, assembly, other_assembly, make_delegate
):
    make_delegate(full_name="Ольга Смирнова", role="observer", member=None)
    url = reverse("registration:export", args=[assembly.slug])
    text = b"".join(secretariat_client.get(url).streaming_content).decode("utf-8-sig")
    created = import_registrations(assembly=other_assembly, text=text, by=None)
    assert [d.full_name for d in created] == ["Ольга Смирнова"]
