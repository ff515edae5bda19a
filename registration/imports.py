"""CSV import of registrations (a Django form per row, preview first, written in parts in the
background with its progress kept) and CSV export."""

import codecs
import csv
import io
import logging
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from assembly.errors import Conflict
from assembly.models import Assembly, MemberOrganization
from assembly.text import refuse_broken_lines
from registration.emails import queue_emails
from registration.errors import AlreadyRegistered, ImportInvalid
from registration.models import (
    Attendance,
    Delegate,
    DelegateRole,
    ImportRun,
    ImportStatus,
    RegistrationSource,
    RegistrationState,
)
from registration.normal import NormalEmailField, name_key, normal_email
from registration.services import (
    DelegateDetails,
    badges_follow_on_commit,
    register_delegate,
    state_email,
    travel_dates_problem,
    users_for_emails,
)

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
IMPORT_SALT = "registration.import"
REQUIRED_COLUMNS = ["full_name", "email", "role"]
OPTIONAL_COLUMNS = [
    "member",
    "title",
    "organization_name",
    "country",
    "phone",
    "attendance",
    "dietary_needs",
    "accessibility_needs",
    "arrival_date",
    "departure_date",
    "state",
]
EXPORT_COLUMNS = [
    "id",
    "full_name",
    "email",
    "member",
    "organization_name",
    "title",
    "country",
    "phone",
    "role",
    "attendance",
    "state",
    "dietary_needs",
    "accessibility_needs",
    "arrival_date",
    "departure_date",
    "needs_visa_letter",
    "photo",
    "registered_at",
]
# The export's own columns an import passes over: an export imports into another assembly as is.
PASSED_OVER_COLUMNS = [
    name for name in EXPORT_COLUMNS if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
]
# Headers as spreadsheets name them (after normalise: any case, spaces and hyphens as "_").
HEADER_ALIASES = {
    "name": "full_name",
    "fullname": "full_name",
    "delegate": "full_name",
    "delegate_name": "full_name",
    "participant": "full_name",
    "participant_name": "full_name",
    "e_mail": "email",
    "mail": "email",
    "email_address": "email",
    "e_mail_address": "email",
    "organisation": "member",
    "organization": "member",
    "member_organisation": "member",
    "member_organization": "member",
    "member_name": "member",
    "federation": "member",
    "member_federation": "member",
    "association": "member",
    "function": "role",
    "delegate_role": "role",
    "organisation_name": "organization_name",
    "job_title": "title",
    "position": "title",
    "telephone": "phone",
    "phone_number": "phone",
    "mobile": "phone",
    "tel": "phone",
    "diet": "dietary_needs",
    "accessibility": "accessibility_needs",
    "arrival": "arrival_date",
    "departure": "departure_date",
}


class NamedChoiceField(forms.ChoiceField):
    """A choice written as its value or its label, in any case ("Voting delegate",
    "VOTING_DELEGATE"); a wrong one is told the choices."""

    def to_python(self, value: object) -> str:
        text = super().to_python(value)
        key = text.strip().lower().replace(" ", "_").replace("-", "_")
        for choice, label in self.choices:
            if key in (str(choice), str(label).strip().lower().replace(" ", "_")):
                return str(choice)
        return text

    def validate(self, value: str) -> None:
        try:
            super().validate(value)
        except forms.ValidationError as error:
            if error.code != "invalid_choice":
                raise  # an empty cell where a value is required says so
            named = ", ".join(str(choice) for choice, _label in self.choices if choice)
            raise forms.ValidationError(
                _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": named}
            ) from None


class ImportRowForm(forms.Form):
    """One CSV row, checked like the registration form."""

    full_name = forms.CharField(max_length=150)
    email = NormalEmailField()
    role = NamedChoiceField(choices=DelegateRole.choices)
    member = forms.CharField(required=False, max_length=200)
    title = forms.CharField(required=False, max_length=150)
    organization_name = forms.CharField(required=False, max_length=200)
    country = forms.CharField(required=False, max_length=100)
    phone = forms.CharField(required=False, max_length=40)
    attendance = NamedChoiceField(choices=Attendance.choices, required=False)
    dietary_needs = forms.CharField(required=False, max_length=300)
    accessibility_needs = forms.CharField(required=False, max_length=300)
    arrival_date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    departure_date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    state = NamedChoiceField(
        required=False,
        choices=[
            (RegistrationState.SUBMITTED, "submitted"),
            (RegistrationState.APPROVED, "approved"),
        ],
        help_text=_lazy("submitted (default) or approved"),
    )

    def __init__(
        self,
        *args: object,
        assembly: Assembly,
        members: dict[str, MemberOrganization],
        **kwargs: object,
    ) -> None:
        """`members` is read once per file (members_by_name)."""
        super().__init__(*args, **kwargs)
        self.assembly = assembly
        self.members = members

    def clean_member(self) -> MemberOrganization | None:
        name = self.cleaned_data["member"].strip()
        if not name:
            return None
        member = self.members.get(member_key(name))
        if member is None:
            raise forms.ValidationError(
                _("No member organization is called “%(name)s”.") % {"name": name}
            )
        return member

    def clean(self) -> dict:
        data = super().clean()
        refuse_broken_lines(self, data)
        role = data.get("role")
        if role in (DelegateRole.VOTING_DELEGATE, DelegateRole.ALTERNATE) and not data.get(
            "member"
        ):
            self.add_error(
                "member", _("A voting delegate or alternate needs a member organization.")
            )
        if (
            data.get("arrival_date")
            and data.get("departure_date")
            and data["departure_date"] < data["arrival_date"]
        ):
            self.add_error("departure_date", _("Departure cannot be before arrival."))
        problem = travel_dates_problem(
            self.assembly, data.get("arrival_date"), data.get("departure_date")
        )
        if problem:
            self.add_error("arrival_date", problem)
        return data


def taken_emails(assembly: Assembly) -> dict[str, str]:
    """The addresses (normal_email) of the assembly's live registrations and their names, in
    one query: a row's address is then one lookup (a query per row took minutes on 10,000)."""
    registered = (
        Delegate.objects.filter(assembly=assembly)
        .exclude(state=RegistrationState.CANCELLED)
        .values_list("email", "full_name")
    )
    return {normal_email(email): name for email, name in registered}


def members_by_name() -> dict[str, MemberOrganization]:
    """Member organizations by member_key; the first by name wins, as the query did."""
    members: dict[str, MemberOrganization] = {}
    for member in MemberOrganization.objects.order_by("name"):
        members.setdefault(member_key(member.name), member)
    return members


def already_registered(email: str, name: str, taken: dict[str, str]) -> str:
    """Why a row is skipped when its address is registered at the assembly already; else ""."""
    if email not in taken:
        return ""
    if name_key(taken[email]) == name_key(name):
        return _("Already registered, skipped.")
    return _("%(email)s is already registered (as %(name)s), skipped.") % {
        "email": email,
        "name": taken[email],
    }


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    cleaned: dict = field(default_factory=dict)
    skip: str = ""  # why a valid row is passed over (its person is registered already)

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    # Every row but exact repeats, in file order; a confirmed import counts them (run.done).
    rows: list[ImportRow]
    columns: list[str]
    notes: list[str] = field(default_factory=list)  # what was read other than as written

    @property
    def valid(self) -> bool:
        return all(row.valid for row in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if not row.valid)

    @property
    def skipped(self) -> list[ImportRow]:
        return [row for row in self.rows if row.skip]

    @property
    def to_write(self) -> int:
        return sum(1 for row in self.rows if row.valid and not row.skip)

    @property
    def shown_rows(self) -> list[ImportRow]:
        """The rows the preview lists: every one with an error or skipped, and the first
        SHOWN_READY of those ready, in file order (5,000 rows had made a 700 kB page)."""
        shown, ready = [], 0
        for row in self.rows:
            if row.valid and not row.skip:
                ready += 1
                if ready > SHOWN_READY:
                    continue
            shown.append(row)
        return shown

    @property
    def ready_not_shown(self) -> int:
        return max(0, self.to_write - SHOWN_READY)


# Rows ready to import that a preview lists; the others are counted, not listed.
SHOWN_READY = 50


# Excel's "Unicode Text" and "CSV UTF-16" start with one of these; without it UTF-16 is not
# told apart from other bytes, so a file without one is not read as UTF-16.
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(raw: bytes) -> str:
    """The file's text: UTF-16 when it starts with its byte order mark, else UTF-8 (a BOM
    stripped), else Windows-1252, else Latin-1 (which reads any byte): Excel's plain "CSV" on
    a Western European Windows is Windows-1252."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportInvalid(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // 1_048_576}
        )
    if raw.startswith(UTF16_BOMS):
        return decode_utf16(raw)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def decode_utf16(raw: bytes) -> str:
    """A file marked as UTF-16, read as it (the mark says which byte order, and is dropped)."""
    try:
        return raw.decode("utf-16")
    except UnicodeDecodeError as error:
        line = raw[: error.start].decode("utf-16", errors="replace").count("\n") + 1
        raise ImportInvalid(
            _(
                "The file is marked as UTF-16 but line %(line)s cannot be read as UTF-16 (the "
                "file may be cut short). Save it again from the spreadsheet as “CSV UTF-8”."
            )
            % {"line": line},
            code="unreadable_utf16",
        ) from None


def decoding_note(raw: bytes) -> str:
    """What the preview says about a file that decode() did not read as UTF-8; else ""."""
    if raw.startswith(UTF16_BOMS):
        return _("Read as UTF-16 (Unicode), as the file's first bytes say.")
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        try:
            raw.decode("cp1252")
            read_as = _("Western European (Windows-1252)")
        except UnicodeDecodeError:
            read_as = _("Latin-1 (ISO-8859-1)")
        return _(
            "Read as %(encoding)s: the file is not UTF-8 (line %(line)s has the first "
            "character UTF-8 cannot read). Check the accented names below."
        ) % {"encoding": read_as, "line": line}
    return ""


# A spreadsheet runs a cell starting with one of these as a formula ("+82 2 …", "=SUM(…)"),
# unless it is a plain number ("-5"): defusedcsv's rule, which the CSV writer applies too.
FORMULA_STARTS = ("=", "+", "-", "@", "|", "%")
_PLAIN_NUMBER = re.compile(r"-?[0-9,.]+")


def escape_cell(value: str) -> str:
    """A cell as our exports write it, so that unescape_cell gives it back exactly:

    - a cell a spreadsheet would run gets a quote before it and a backslash before each of
      its pipes ("+82 2" -> "'+82 2", "|a|b" -> "'\\|a\\|b"), as defusedcsv writes it;
    - a cell that starts with a quote the import would read as that escape ("'+82", "''",
      "'\\|") gets one more quote before it;
    - every other cell is written as it is ("O'Brien", "'quoted'", "-5").
    """
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value.replace("|", "\\|")
    if value.startswith("'") and _reads_as_escaped(value[1:]):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The value escape_cell wrote this cell for; a cell it would not have written (a
    quote before ordinary text) stays as it is."""
    if not value.startswith("'") or not _reads_as_escaped(value[1:]):
        return value
    rest = value[1:]
    if rest.startswith("'"):
        return rest
    return rest.replace("\\|", "|")


def _reads_as_escaped(rest: str) -> bool:
    """Whether a cell of a quote and then `rest` is one of escape_cell's escapes."""
    return rest.startswith((*FORMULA_STARTS, "\\|", "'"))


def normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def header_key(name: str) -> str:
    """A header cell as compared with the known columns and their aliases: any case, spaces,
    hyphens and underscores alike ("E-mail", "Email address", "Full name")."""
    return re.sub(r"[\s_-]+", "_", name.strip().casefold()).strip("_")


def column_for(name: str, known: list[str], aliases: dict[str, str]) -> str | None:
    """The known column a header names, directly or by a common alias; None when unknown."""
    key = header_key(name)
    if key in known:
        return key
    alias = aliases.get(key) or aliases.get(key.replace("_", ""))
    return alias if alias in known else None


def read_header(
    cells: list[str], known: list[str], aliases: dict[str, str] = HEADER_ALIASES
) -> tuple[list[str], list[str]]:
    """The header as known column names (an unknown one as "?n", its position), and the notes
    on what was read: the aliases taken and the columns ignored."""
    header, aliased, ignored = [], [], []
    for n, cell in enumerate(named_columns([cell.strip() for cell in cells]), start=1):
        if not cell:
            header.append("")
            continue
        column = column_for(cell, known, aliases)
        if column is None:
            header.append(f"?{n}")
            ignored.append(cell.casefold())
            continue
        header.append(column)
        if header_key(cell) != column:
            aliased.append(f"{cell} → {column}")
    notes = []
    if aliased:
        notes.append(_("Columns read as: %(names)s.") % {"names": ", ".join(aliased)})
    if ignored:
        notes.append(_("Ignored columns: %(names)s.") % {"names": ", ".join(ignored)})
    return header, notes


# Marks a spreadsheet or a keyboard types for the same character in a name (d\u2019Aviron).
_SAME_MARKS = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
    }
)


def member_key(name: str) -> str:
    """A member's name as an import compares it: name_key, with compatibility forms folded and
    typographic apostrophes, quotes and hyphens read as the plain ones."""
    return name_key(unicodedata.normalize("NFKC", name).translate(_SAME_MARKS))


def csv_lines(reader: "csv._reader") -> Iterator[list[str]]:
    """The reader's rows; a line the csv module cannot read is refused with its number."""
    try:
        yield from reader
    except csv.Error as error:
        raise ImportInvalid(
            _("Line %(line)s cannot be read as CSV (%(reason)s).")
            % {"line": reader.line_num, "reason": error},
            code="unreadable_csv",
        ) from None


_EXCEL_SEPARATOR = re.compile(r"sep=(.)")


def text_from_header(text: str) -> tuple[str, int, str]:
    """The text from its header line on, how many lines came before it (blank lines, Excel's
    "sep=;" line), and the delimiter: Excel's word, else whichever of comma, semicolon and tab
    the header uses most (Excel's "Unicode Text" is tab-separated)."""
    lines = text.splitlines(keepends=True)
    skipped, delimiter = 0, None
    while skipped < len(lines):
        line = lines[skipped].strip()
        if excel := _EXCEL_SEPARATOR.fullmatch(line):
            delimiter = excel.group(1)
        elif line:
            break
        skipped += 1
    if skipped == len(lines):
        raise ImportInvalid(_("The file is empty."), code="empty_file")
    header_line = lines[skipped]
    if delimiter is None:
        # On a tie the earlier one wins: a comma, then a semicolon, a tab only when it is the most.
        delimiter = max(",;\t", key=header_line.count)
    return "".join(lines[skipped:]), skipped, delimiter


def named_columns(header: list[str]) -> list[str]:
    """The header without the empty columns after its last name (Excel saves a sheet's
    formatted but empty columns as trailing separators)."""
    named = list(header)
    while named and not named[-1]:
        named.pop()
    return named


def row_cells(cells: list[str], width: int, *, runs_to: int) -> tuple[list[str], str]:
    """A row's cells, one per named column (a short row's missing cells empty, like Excel's),
    or the reason they cannot be read: a value beyond the named columns, or a quote that was
    never closed and swallowed the lines after it into one cell."""
    beyond = [n for n, cell in enumerate(cells[width:], start=width + 1) if cell.strip()]
    unclosed = len(cells) != width and any("\n" in cell or "\r" in cell for cell in cells)
    if unclosed:
        return [], _(
            'A quote (") opens here and is not closed before line %(end)s: close it, or '
            "remove it. %(got)s fields where the header has %(want)s."
        ) % {"end": runs_to, "got": len(cells), "want": width}
    if beyond:
        return [], _(
            "Column %(n)s has a value, but the header names only %(want)s columns: name the "
            "column or delete the value."
        ) % {"n": beyond[0], "want": width}
    return cells[:width] + [""] * (width - len(cells)), ""


def file_rows(
    reader: Any, lines_read: Iterator[list[str]], *, header: list[str], skipped: int, notes: list
) -> Iterator[ImportRow]:
    """Each row of the file with its line number as a spreadsheet shows it: blank lines passed
    over, a row repeated exactly read once (said in `notes`), a row that cannot be read as
    the header's columns given with its error."""
    repeated: dict[tuple[str, ...], int] = {}
    ended = reader.line_num
    for cells in lines_read:
        started, ended = ended + 1, reader.line_num
        line = started + skipped
        if not any(cell.strip() for cell in cells):
            continue
        cells, problem = row_cells(cells, len(header), runs_to=ended + skipped)
        if not problem:
            same = tuple(cell.strip() for cell in cells)
            if same in repeated:
                notes.append(
                    _("Line %(line)s repeats line %(first)s exactly: read once.")
                    % {"line": line, "first": repeated[same]}
                )
                continue
            repeated[same] = line
        row = ImportRow(line=line, values=dict(zip(header, cells, strict=False)))
        if problem:
            row.errors.append(problem)
        yield row


def named_cells(row: ImportRow) -> dict[str, str]:
    """The row's values of named columns, trimmed, an export's formula escaping undone."""
    return {k: unescape_cell(v.strip()) for k, v in row.values.items() if k[:1] != "?"}


def add_form_errors(row: ImportRow, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = name if name != "__all__" else ""
        row.errors.extend(f"{label}: {error}" if label else str(error) for error in errors)


def preview_import(*, assembly: Assembly, text: str) -> ImportPreview:
    """Check every row; nothing is written. Whole-file problems raise ImportInvalid. Columns
    it does not know are ignored, a row repeated exactly is read once, and a row whose address
    is registered at the assembly already is skipped: each said in the preview's notes."""
    text, skipped, delimiter = text_from_header(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines_read = csv_lines(reader)
    header, notes = read_header(next(lines_read), REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    refuse_bad_header(header)
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    taken, members = taken_emails(assembly), members_by_name()
    for row in file_rows(reader, lines_read, header=header, skipped=skipped, notes=notes):
        rows.append(row)
        if row.errors:
            continue
        form = ImportRowForm(named_cells(row), assembly=assembly, members=members)
        if not form.is_valid():
            add_form_errors(row, form)
            continue
        row.cleaned = form.cleaned_data
        email = row.cleaned["email"]
        row.skip = already_registered(email, row.cleaned["full_name"], taken)
        if email in seen and not row.skip:
            row.errors.append(
                _("%(email)s is also on line %(line)s.") % {"email": email, "line": seen[email]}
            )
        seen.setdefault(email, row.line)
    if not rows:
        raise ImportInvalid(_("The file has a header but no rows."), code="no_rows")
    return ImportPreview(rows=rows, columns=header, notes=notes)


def refuse_bad_header(header: list[str]) -> None:
    """A header the import cannot read safely: a required column missing, a nameless column
    before a named one, or a column named twice (one of the two values would be dropped)."""
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportInvalid(
            _("Missing columns: %(names)s. The first line must name the columns.")
            % {"names": ", ".join(missing)},
            code="missing_columns",
        )
    refuse_nameless_or_twice(header)


def sign_import(text: str) -> str:
    """The preview's confirmation: the file and a key of its own, which a second click on
    Confirm (or a retry) sends again, so that it finds the import the first one started."""
    return signing.dumps(
        {"text": text, "key": secrets.token_hex(16)}, salt=IMPORT_SALT, compress=True
    )


def unsign_import(value: str) -> tuple[str, str]:
    """The key and the file of a preview's confirmation."""
    try:
        payload = signing.loads(value, salt=IMPORT_SALT, max_age=3600)
        return str(payload["key"]), str(payload["text"])
    except (signing.BadSignature, KeyError, TypeError):
        raise ImportInvalid(_("The preview has expired; upload the file again.")) from None


# --- writing a confirmed file ---------------------------------------------------------------

# Rows written in one transaction with their emails. On SQLite each part holds the database's
# one write lock (a quarter to half a second for 100 rows), then leaves it to the requests
# waiting for it for half as long again: a registration or a scan waits a part at most, where
# the whole file in one transaction had held them past the busy timeout ("database is
# locked"). bench/imports.py measures both.
IMPORT_PART = 100
LOCK_SHARE = 0.5  # on SQLite: the pause after a part, as a share of the time it held the lock
STALE_AFTER = timedelta(minutes=5)
WAITING = [ImportStatus.NEW, ImportStatus.FAILED]  # what a confirm starts


class ImportTakenOver(Exception):
    """The run is no longer this runner's: the server stopped it, or a retry took it over."""


def start_import(
    *, assembly: Assembly, key: str, text: str, by: AbstractBaseUser | None
) -> ImportRun:
    """Confirm a previewed file: start its import, or find the one its preview started (a
    second click or a retry imports nothing twice); a stopped one goes on after its last part.

    A file of one part is written in the request; a longer one in the background, its
    progress on the import's page. Another import running for the assembly is a Conflict.
    """
    fail_stale_imports(assembly=assembly)
    run = ImportRun.objects.filter(key=key).first() or new_import(
        assembly=assembly, key=key, text=text, by=by
    )
    if run.assembly_id != assembly.pk:
        raise ImportInvalid(_("This preview belongs to another assembly."))
    return go_on(run)


def resume_import(*, run: ImportRun) -> ImportRun:
    """Confirm a stopped import again: its rows not imported yet are checked and written."""
    fail_stale_imports(assembly=run.assembly)
    return go_on(ImportRun.objects.get(pk=run.pk))


def new_import(
    *, assembly: Assembly, key: str, text: str, by: AbstractBaseUser | None
) -> ImportRun:
    """A run for this preview's key, claimed by nobody yet; the one its twin made when two
    confirms race (the key is unique)."""
    try:
        with transaction.atomic():
            return ImportRun.objects.create(
                assembly=assembly,
                key=key,
                text=text,
                created_by=by if by is not None and by.is_authenticated else None,
            )
    except IntegrityError:
        return ImportRun.objects.get(key=key)


def go_on(run: ImportRun) -> ImportRun:
    """Claim a run that is new or stopped and write it (here when it is one part, else in the
    background); a run that is running or done is left as it is."""
    if run.status not in WAITING:
        return run
    claim = claim_import(run)
    if claim is None:  # a twin confirm claimed it first
        return ImportRun.objects.get(pk=run.pk)
    if settings.IMPORTS_IN_BACKGROUND and run.text.count("\n") > IMPORT_PART + 1:
        transaction.on_commit(lambda: _start_thread(run.pk, claim))
        return ImportRun.objects.get(pk=run.pk)
    return run_import(run_id=run.pk, claim=claim)


def claim_import(run: ImportRun) -> str | None:
    """Make the run this runner's, or None when another runner claimed it first."""
    claim = secrets.token_hex(16)
    try:
        with transaction.atomic():
            claimed = ImportRun.objects.filter(pk=run.pk, status__in=WAITING).update(
                status=ImportStatus.RUNNING,
                claim=claim,
                error="",
                row_errors=[],
                heartbeat_at=timezone.now(),
                finished_at=None,
            )
    except IntegrityError:  # one_running_import_per_assembly
        raise Conflict(
            _("Another import is running for this assembly: wait for it to end, then confirm."),
            code="import_running",
        ) from None
    return claim if claimed else None


_threads: dict[int, threading.Thread] = {}


def _start_thread(run_id: int, claim: str) -> None:
    thread = threading.Thread(
        target=_run_in_thread, args=(run_id, claim), name=f"import-{run_id}", daemon=True
    )
    _threads[run_id] = thread
    thread.start()


def _run_in_thread(run_id: int, claim: str) -> None:
    try:
        run_import(run_id=run_id, claim=claim)
    finally:
        _threads.pop(run_id, None)
        connection.close()  # this thread's connection, back to the pool


def run_import(*, run_id: int, claim: str, created: list[Delegate] | None = None) -> ImportRun:
    """Check the run's rows not imported yet, then write them a part at a time, each part
    with its emails in one transaction that also counts it as done. Anything that stops it
    (a row refused, the server stopping, the database) is kept with which lines are in.
    `created` collects the registrations written."""
    created = [] if created is None else created
    try:
        run = ImportRun.objects.select_related("assembly", "created_by").get(pk=run_id)
        rows = rows_to_write(run, claim)
        for start in range(0, len(rows), IMPORT_PART):
            started = time.monotonic()
            created += write_part(run=run, rows=rows[start : start + IMPORT_PART], claim=claim)
            if connection.vendor == "sqlite":
                time.sleep((time.monotonic() - started) * LOCK_SHARE)
        # The file's personal details are kept only while they may still be imported; the
        # rows skipped as registered already stay listed on the import's page.
        ImportRun.objects.filter(pk=run_id, claim=claim, status=ImportStatus.RUNNING).update(
            status=ImportStatus.DONE,
            text="",
            finished_at=timezone.now(),
            row_errors=[[row.line, row.skip] for row in rows if row.skip][:200],
        )
    except ImportTakenOver:
        pass
    except RowsRefused as refused:
        stop_import(run_id, claim, refused.detail, refused.rows)
    except ImportInvalid as refused:
        stop_import(run_id, claim, refused.detail)
    except Exception as error:
        logger.exception("Import %s stopped", run_id)
        stop_import(run_id, claim, _("The import stopped: %(error)s") % {"error": error})
    finally:
        badges_follow_on_commit(created)  # the approved ones' badges, those written
    return ImportRun.objects.get(pk=run_id)


class RowsRefused(ImportInvalid):
    def __init__(self, detail: str, rows: list[tuple[int, str]]) -> None:
        super().__init__(detail)
        self.rows = rows


def rows_to_write(run: ImportRun, claim: str) -> list[ImportRow]:
    """The whole file checked again (a preview's promise holds only when it was made), then
    its rows after the `done` ones already imported; their lines are kept on the run."""
    preview = preview_import(assembly=run.assembly, text=run.text)
    rows = preview.rows[run.done :]
    refused = [(row.line, error) for row in rows for error in row.errors]
    updated = ImportRun.objects.filter(pk=run.pk, claim=claim, status=ImportStatus.RUNNING).update(
        total=len(preview.rows),
        first_line=preview.rows[0].line,
        last_line=preview.rows[-1].line,
        heartbeat_at=timezone.now(),
    )
    if not updated:
        raise ImportTakenOver()
    if refused:
        raise RowsRefused(
            _("%(n)s rows have errors now; nothing more was imported.")
            % {"n": len({line for line, _error in refused})},
            refused,
        )
    return rows


def write_part(*, run: ImportRun, rows: list[ImportRow], claim: str) -> list[Delegate]:
    """Register a part's rows and queue their emails in one transaction that also moves the
    run's count on; the registrations."""
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.claim != claim or locked.status != ImportStatus.RUNNING:
            raise ImportTakenOver()
        # A row skipped (registered already) is counted as done but not written.
        writing = [row for row in rows if not row.skip]
        users = users_for_emails(
            {row.cleaned["email"]: row.cleaned["full_name"] for row in writing}
        )
        created = [
            register_row(run=run, row=row, user=users[row.cleaned["email"]]) for row in writing
        ]
        queue_emails([state_email(delegate) for delegate in created])
        ImportRun.objects.filter(pk=run.pk).update(
            done=F("done") + len(rows), done_line=rows[-1].line, heartbeat_at=timezone.now()
        )
    return created


def register_row(*, run: ImportRun, row: ImportRow, user: AbstractBaseUser) -> Delegate:
    data = row.cleaned
    details = DelegateDetails.from_data(
        {
            **{k: v for k, v in data.items() if k not in ("member", "state")},
            "attendance": data.get("attendance") or Attendance.IN_PERSON,
        }
    )
    try:
        return register_delegate(
            assembly=run.assembly,
            details=details,
            source=RegistrationSource.IMPORT,
            member=data.get("member"),
            by=run.created_by,
            approve=data.get("state") == RegistrationState.APPROVED,
            notify=False,  # the part queues its emails together
            user=user,
            render_badge=False,  # rendered together when the import ends
        )
    except AlreadyRegistered:
        raise ImportInvalid(
            _("Line %(line)s: %(email)s was registered meanwhile.")
            % {"line": row.line, "email": data["email"]}
        ) from None


def stop_import(
    run_id: int, claim: str, reason: str, rows: list[tuple[int, str]] | None = None
) -> None:
    """The run stops with its reason (and the rows refused, by line); its parts written stay."""
    ImportRun.objects.filter(pk=run_id, claim=claim, status=ImportStatus.RUNNING).update(
        status=ImportStatus.FAILED,
        error=reason[:2000],
        row_errors=[[line, error] for line, error in (rows or [])[:200]],
        finished_at=timezone.now(),
    )


def fail_stale_imports(*, assembly: Assembly) -> int:
    """Runs without a part written for five minutes died with their process: stopped."""
    cutoff = timezone.now() - STALE_AFTER
    stale = ImportRun.objects.filter(
        assembly=assembly, status=ImportStatus.RUNNING, heartbeat_at__lt=cutoff
    )
    if not stale.exists():  # a read: the page polling every two seconds takes no write turn
        return 0
    return _stop_as_server_stopped(stale)


def stop_imports() -> int:
    """The server stops: the imports this process writes stop after their current part,
    ready to be confirmed again."""
    return _stop_as_server_stopped(
        ImportRun.objects.filter(pk__in=list(_threads), status=ImportStatus.RUNNING)
    )


def _stop_as_server_stopped(runs: QuerySet[ImportRun]) -> int:
    return runs.update(
        status=ImportStatus.FAILED,
        error=_("The server stopped while importing."),
        finished_at=timezone.now(),
    )


def wait_for_import(run: ImportRun, timeout: float | None = None) -> ImportRun:
    """The run once this process's thread writing it has ended (for commands and benchmarks)."""
    thread = _threads.get(run.pk)
    if thread is not None:
        thread.join(timeout)
    return ImportRun.objects.get(pk=run.pk)


def import_lines(run: ImportRun) -> dict[str, int]:
    """Which lines of the file are in and which are not, for the import's page."""
    return {
        "first": run.first_line,
        "done": run.done_line,
        "next": run.done_line + 1 if run.done else run.first_line,
        "last": run.last_line,
    }


def import_registrations(
    *, assembly: Assembly, text: str, by: AbstractBaseUser | None
) -> list[Delegate]:
    """Import a whole file here and now (commands, tests): its registrations, in file order.
    Refused with ImportInvalid when it stops before its end; the parts written stay."""
    run = new_import(assembly=assembly, key=secrets.token_hex(16), text=text, by=by)
    created: list[Delegate] = []
    run = run_import(run_id=run.pk, claim=claim_import(run) or "", created=created)
    if run.status != ImportStatus.DONE:
        raise ImportInvalid(run.error)
    return created


# --- member organizations (the admin's "Import members from CSV") ---------------------------

MEMBER_COLUMNS = [
    "name",
    "kind",
    "country",
    "region",
    "membership_type",
    "membership_status",
    "dues_paid",
    "population",
    "contact_email",
]
MEMBER_ALIASES = {
    "member": "name",
    "member_name": "name",
    "organisation": "name",
    "organization": "name",
    "organisation_name": "name",
    "organization_name": "name",
    "federation": "name",
    "association": "name",
    "type": "membership_type",
    "membership": "membership_type",
    "status": "membership_status",
    "dues": "dues_paid",
    "paid": "dues_paid",
    "dues_paid?": "dues_paid",
    "paid?": "dues_paid",
    "email": "contact_email",
    "e_mail": "contact_email",
    "email_address": "contact_email",
    "contact": "contact_email",
}
YES = {"yes", "y", "true", "1", "x", "paid", "oui", "ja", "si", "sí"}
NO = {"no", "n", "false", "0", "unpaid", "not paid", "non", "nein"}


class YesNoField(forms.Field):
    """yes/no, true/false, 1/0, x, paid/unpaid in any case; empty is the model's default."""

    def __init__(self, *, default: bool, **kwargs: object) -> None:
        super().__init__(required=False, **kwargs)
        self.default = default

    def to_python(self, value: object) -> bool:
        text = str(value or "").strip().casefold()
        if not text:
            return self.default
        if text in YES:
            return True
        if text in NO:
            return False
        raise forms.ValidationError(_("“%(value)s” is not yes or no.") % {"value": value})


class MemberRowForm(forms.ModelForm):
    """One member row, checked as the admin's form checks a member."""

    kind = NamedChoiceField(choices=MemberOrganization._meta.get_field("kind").choices)
    region = NamedChoiceField(choices=MemberOrganization._meta.get_field("region").choices)
    membership_type = NamedChoiceField(
        choices=MemberOrganization._meta.get_field("membership_type").choices
    )
    membership_status = NamedChoiceField(
        choices=MemberOrganization._meta.get_field("membership_status").choices
    )
    dues_paid = YesNoField(default=True)
    country = forms.CharField(required=False, max_length=100)  # filled in later in the admin

    class Meta:
        model = MemberOrganization
        fields = MEMBER_COLUMNS

    def validate_unique(self) -> None:
        """Names already taken are reported by preview_members, as skipped."""

    def clean(self) -> dict:
        data = super().clean()
        refuse_broken_lines(self, data)
        return data


def preview_members(*, text: str, kind: str = "", region: str = "") -> ImportPreview:
    """Check a members file; nothing is written. `kind` and `region` fill the rows that leave
    them empty. A name that is a member already is skipped; one named twice is an error."""
    text, skipped, delimiter = text_from_header(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines_read = csv_lines(reader)
    header, notes = read_header(next(lines_read), MEMBER_COLUMNS, MEMBER_ALIASES)
    if "name" not in header:
        raise ImportInvalid(
            _("Missing column: name. The first line must name the columns."),
            code="missing_columns",
        )
    refuse_nameless_or_twice(header)
    existing = {
        member_key(name): name for name in MemberOrganization.objects.values_list("name", flat=True)
    }
    defaults = {
        "kind": kind,
        "region": region,
        "membership_type": "full",
        "membership_status": "active",
    }
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for row in file_rows(reader, lines_read, header=header, skipped=skipped, notes=notes):
        rows.append(row)
        if row.errors:
            continue
        named = named_cells(row)
        data = {**defaults, **{k: v for k, v in named.items() if v or k == "dues_paid"}}
        form = MemberRowForm(data)
        if not form.is_valid():
            add_form_errors(row, form)
            continue
        row.cleaned = form.cleaned_data
        key = member_key(row.cleaned["name"])
        if key in existing:
            row.skip = _("“%(name)s” is a member already, skipped.") % {"name": existing[key]}
        elif key in seen:
            row.errors.append(
                _("“%(name)s” is also on line %(line)s.")
                % {"name": row.cleaned["name"], "line": seen[key]}
            )
        seen.setdefault(key, row.line)
    if not rows:
        raise ImportInvalid(_("The file has a header but no rows."), code="no_rows")
    return ImportPreview(rows=rows, columns=header, notes=notes)


def refuse_nameless_or_twice(header: list[str]) -> None:
    """A nameless column before a named one, or a column named twice (one of the two values
    would be dropped without a word)."""
    if "" in header:
        raise ImportInvalid(
            _("Column %(n)s has no name: name it or delete it.") % {"n": header.index("") + 1},
            code="unknown_columns",
        )
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise ImportInvalid(
            _("Columns named more than once: %(names)s. Keep one of each.")
            % {"names": ", ".join(twice)},
            code="duplicate_columns",
        )


def import_members(*, text: str, kind: str = "", region: str = "") -> list[MemberOrganization]:
    """Write a members file checked again now: all its new members in one transaction, or
    none (ImportInvalid) when any row has an error. The members created."""
    preview = preview_members(text=text, kind=kind, region=region)
    if not preview.valid:
        raise ImportInvalid(
            _("%(n)s rows have errors now; nothing was imported.") % {"n": preview.error_count}
        )
    try:
        with transaction.atomic():
            return MemberOrganization.objects.bulk_create(
                [MemberOrganization(**row.cleaned) for row in preview.rows if not row.skip]
            )
    except IntegrityError:  # the same names added meanwhile (a second confirm, another admin)
        raise ImportInvalid(
            _(
                "Some of these members were added meanwhile, so nothing was imported. "
                "Upload the file again: the preview now skips the ones that exist."
            ),
            code="members_added_meanwhile",
        ) from None


def export_rows(delegates: Iterable[Delegate]) -> Iterable[list[str]]:
    """The export's header and a row per delegate, each cell escaped (escape_cell)."""
    yield EXPORT_COLUMNS
    for d in delegates:
        yield [
            escape_cell(cell)
            for cell in [
                str(d.pk),
                d.full_name,
                d.email,
                d.member.name if d.member_id else "",
                d.organization_name,
                d.title,
                d.country,
                d.phone,
                d.role,
                d.attendance,
                d.state,
                d.dietary_needs,
                d.accessibility_needs,
                d.arrival_date.isoformat() if d.arrival_date else "",
                d.departure_date.isoformat() if d.departure_date else "",
                "yes" if d.needs_visa_letter else "no",
                "yes" if d.photo else "no",
                d.created_at.isoformat(timespec="seconds"),
            ]
        ]
