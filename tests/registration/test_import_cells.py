"""CSV cells: what the export escapes and the import reads back, and the shapes Excel saves."""

import csv
import io

import pytest
from django.urls import reverse

from registration.imports import escape_cell, import_registrations, preview_import, unescape_cell
from registration.models import Delegate

pytestmark = pytest.mark.django_db

# The value stored, and the cell the export writes for it. A spreadsheet would run a cell
# starting with = + - @ | % (not a plain number): it gets a quote, and its pipes a backslash.
# A value that itself starts with a quote the import would read as that escape gets one more
# quote. Everything else is written as it is.
ESCAPED = [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
    ("+82 2 120", "'+82 2 120"),
    ("-abc", "'-abc"),
    ("@home", "'@home"),
    ("%TEMP%", "'%TEMP%"),
    ("|pipe", "'\\|pipe"),
    ("=a|b", "'=a\\|b"),
    ("=a\\|b", "'=a\\\\|b"),
    ("'+82", "''+82"),
    ("'|pipe", "''|pipe"),
    ("'\\|x", "''\\|x"),
    ("''", "'''"),
    ("'-5", "''-5"),
]
AS_THEY_ARE = ["-5", "-1,000.50", "O'Brien", "'quoted'", "'", "a|b", "Kim Seo-yeon", ""]


@pytest.mark.parametrize(("value", "cell"), ESCAPED)
def test_the_export_escapes_cells_a_spreadsheet_would_run_and_the_import_reads_them_back(
    value, cell
):
    assert escape_cell(value) == cell
    assert unescape_cell(cell) == value


@pytest.mark.parametrize("value", AS_THEY_ARE)
def test_other_cells_are_exported_and_imported_as_they_are(value):
    assert escape_cell(value) == value
    assert unescape_cell(value) == value


def test_every_cell_of_an_export_imports_back_unchanged(
    secretariat_client, assembly, other_assembly, make_delegate
):
    """Found by a tester: "|pipe" came back as "'\\|pipe", a stored "'+82" as "+82"."""
    texts = [value for value, _cell in ESCAPED if value] + AS_THEY_ARE[2:-1]
    for n, text in enumerate(texts):
        make_delegate(
            full_name=f"Name {text}",
            title=text,
            organization_name=text,
            phone=text[:40],
            dietary_needs=text,
            accessibility_needs=text,
            email=f"p{n}@x.example",
            role="observer",
            member=None,
        )
    url = reverse("registration:export", args=[assembly.slug])
    exported = b"".join(secretariat_client.get(url).streaming_content).decode("utf-8-sig")
    import_registrations(assembly=other_assembly, text=exported, by=None)
    fields = ["full_name", "title", "organization_name", "phone", "dietary_needs"]
    fields.append("accessibility_needs")
    original = set(Delegate.objects.filter(assembly=assembly).values_list(*fields))
    imported = set(Delegate.objects.filter(assembly=other_assembly).values_list(*fields))
    assert imported == original
    assert len(imported) == len(texts)


def test_a_quote_before_a_value_in_a_file_from_elsewhere_is_read_as_the_exports_escape(assembly):
    text = "full_name,email,role,phone\nAna,ana@x.example,observer,'+82 2 120\n"
    (row,) = preview_import(assembly=assembly, text=text).rows
    assert row.cleaned["phone"] == "+82 2 120"


# Found by a tester: Excel's files were refused whole.


def test_excels_empty_columns_without_a_name_after_the_last_column_are_read(assembly, member):
    text = (
        "full_name,email,role,member,,,\r\n"
        "Kim Seo-yeon,kim@seoul.example,voting_delegate,Seoul,,,\r\n"
        "Ana Pérez,ana@lima.example,observer,,,,\r\n"
    )
    preview = preview_import(assembly=assembly, text=text)
    assert preview.valid, [row.errors for row in preview.rows]
    assert preview.columns == ["full_name", "email", "role", "member"]
    created = import_registrations(assembly=assembly, text=text, by=None)
    assert [d.email for d in created] == ["kim@seoul.example", "ana@lima.example"]


def test_a_row_shorter_than_the_header_has_its_missing_cells_empty(assembly, member):
    text = (
        "full_name,email,role,member,phone,country\n"
        "Kim Seo-yeon,kim@seoul.example,voting_delegate,Seoul\n"
        "Ana Pérez,ana@lima.example,observer\n"
    )
    preview = preview_import(assembly=assembly, text=text)
    assert preview.valid, [row.errors for row in preview.rows]
    assert [row.cleaned["phone"] for row in preview.rows] == ["", ""]
    assert preview.rows[0].cleaned["member"] == member


def test_a_value_beyond_the_named_columns_is_refused_with_its_line(assembly):
    text = (
        "full_name,email,role,,\n"
        "Kim,kim@x.example,observer,,\n"
        "Ana,ana@x.example,observer,,forgotten note\n"
    )
    preview = preview_import(assembly=assembly, text=text)
    errors = {row.line: row.errors for row in preview.rows if not row.valid}
    assert errors == {
        3: [
            "Column 5 has a value, but the header names only 3 columns: name the column or "
            "delete the value."
        ]
    }


def test_a_short_row_missing_a_required_value_is_refused_with_its_line(assembly):
    text = "full_name,email,role\nKim,kim@x.example\n"
    (row,) = preview_import(assembly=assembly, text=text).rows
    assert (row.line, row.errors) == (2, ["role: This field is required."])


def test_the_export_with_excels_trailing_separators_imports(
    secretariat_client, assembly, other_assembly, make_delegate
):
    make_delegate(full_name="Ольга Смирнова", role="observer", member=None)
    url = reverse("registration:export", args=[assembly.slug])
    text = b"".join(secretariat_client.get(url).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out).writerows([[*row, "", ""] for row in rows])  # Excel's formatted columns
    created = import_registrations(assembly=other_assembly, text=out.getvalue(), by=None)
    assert [d.full_name for d in created] == ["Ольга Смирнова"]
