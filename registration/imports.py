"""CSV import of registrations (a Django form per row, preview first) and CSV export."""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from assembly.models import Assembly, MemberOrganization
from assembly.text import refuse_broken_lines
from registration.emails import queue_emails
from registration.errors import AlreadyRegistered, ImportInvalid
from registration.models import (
    Attendance,
    Delegate,
    DelegateRole,
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
        taken: set[str],
        members: dict[str, MemberOrganization],
        **kwargs: object,
    ) -> None:
        """`taken` and `members` are read once per file (taken_emails, members_by_name)."""
        super().__init__(*args, **kwargs)
        self.assembly = assembly
        self.taken = taken
        self.members = members

    def clean_member(self) -> MemberOrganization | None:
        name = self.cleaned_data["member"].strip()
        if not name:
            return None
        member = self.members.get(name_key(name))
        if member is None:
            raise forms.ValidationError(
                _("No member organization is called “%(name)s”.") % {"name": name}
            )
        return member

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email in self.taken:
            raise forms.ValidationError(_("%(email)s is already registered.") % {"email": email})
        return email

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


def taken_emails(assembly: Assembly) -> set[str]:
    """The addresses (normal_email) of the assembly's live registrations, in one query: a row's
    address is then one set lookup (a query per row took minutes on 10,000 rows)."""
    emails = (
        Delegate.objects.filter(assembly=assembly)
        .exclude(state=RegistrationState.CANCELLED)
        .values_list("email", flat=True)
    )
    return {normal_email(email) for email in emails}


def members_by_name() -> dict[str, MemberOrganization]:
    """Member organizations by name_key; the first by name wins, as the query did."""
    members: dict[str, MemberOrganization] = {}
    for member in MemberOrganization.objects.order_by("name"):
        members.setdefault(name_key(member.name), member)
    return members


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    cleaned: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    columns: list[str]

    @property
    def valid(self) -> bool:
        return all(row.valid for row in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if not row.valid)


def decode(raw: bytes) -> str:
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportInvalid(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // 1_048_576}
        )
    try:
        return raw.decode("utf-8-sig")  # strips a BOM when there is one
    except UnicodeDecodeError as error:
        raise ImportInvalid(
            _(
                "The file is not UTF-8 (line %(line)s has the first character it cannot "
                "read). Save it as “CSV UTF-8” and upload it again."
            )
            % {"line": raw[: error.start].count(b"\n") + 1},
            code="wrong_encoding",
        ) from None


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
    "sep=;" line), and the delimiter: Excel's word, else whichever the header uses more."""
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
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
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


def preview_import(*, assembly: Assembly, text: str) -> ImportPreview:
    """Check every row; nothing is written. Whole-file problems raise ImportInvalid."""
    text, skipped, delimiter = text_from_header(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines_read = csv_lines(reader)
    header = named_columns([normalise(name) for name in next(lines_read)])
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportInvalid(
            _("Missing columns: %(names)s. The first line must name the columns.")
            % {"names": ", ".join(missing)},
            code="missing_columns",
        )
    if "" in header:
        raise ImportInvalid(
            _("Column %(n)s has no name: name it or delete it.") % {"n": header.index("") + 1},
            code="unknown_columns",
        )
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS + PASSED_OVER_COLUMNS
    unknown = [name for name in header if name not in known]
    if unknown:
        raise ImportInvalid(
            _("Unknown columns: %(names)s. Known columns: %(known)s.")
            % {
                "names": ", ".join(unknown),
                "known": ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS),
            },
            code="unknown_columns",
        )
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:  # one of the two values would be dropped without a word
        raise ImportInvalid(
            _("Columns named more than once: %(names)s. Keep one of each.")
            % {"names": ", ".join(twice)},
            code="duplicate_columns",
        )
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    taken, members = taken_emails(assembly), members_by_name()
    ended = reader.line_num
    for cells in lines_read:
        started, ended = ended + 1, reader.line_num
        line = started + skipped
        if not any(cell.strip() for cell in cells):
            continue
        cells, problem = row_cells(cells, len(header), runs_to=ended + skipped)
        row = ImportRow(line=line, values=dict(zip(header, cells, strict=False)))
        if problem:
            row.errors.append(problem)
            rows.append(row)
            continue
        form = ImportRowForm(
            {k: unescape_cell(v.strip()) for k, v in row.values.items()},
            assembly=assembly,
            taken=taken,
            members=members,
        )
        if form.is_valid():
            row.cleaned = form.cleaned_data
            email = row.cleaned["email"]
            if email in seen:
                row.errors.append(
                    _("%(email)s is also on line %(line)s.") % {"email": email, "line": seen[email]}
                )
            seen.setdefault(email, line)
        else:
            for name, errors in form.errors.items():
                label = name if name != "__all__" else ""
                row.errors.extend(f"{label}: {error}" if label else str(error) for error in errors)
        rows.append(row)
    if not rows:
        raise ImportInvalid(_("The file has a header but no rows."), code="no_rows")
    return ImportPreview(rows=rows, columns=header)


def sign_import(text: str) -> str:
    return signing.dumps(text, salt=IMPORT_SALT, compress=True)


def unsign_import(value: str) -> str:
    try:
        return signing.loads(value, salt=IMPORT_SALT, max_age=3600)
    except signing.BadSignature:
        raise ImportInvalid(_("The preview has expired; upload the file again.")) from None


def import_registrations(
    *, assembly: Assembly, text: str, by: AbstractBaseUser | None
) -> list[Delegate]:
    """Write every row of a fully valid file in one transaction, or nothing at all.

    Each person's email for the state their registration is in is queued in that transaction
    (registration.emails); the approved ones' badges are rendered after it, in the background.
    """
    preview = preview_import(assembly=assembly, text=text)
    if not preview.valid:
        raise ImportInvalid(
            _("%(n)s rows have errors; nothing was imported.") % {"n": preview.error_count}
        )
    created = []
    with transaction.atomic():
        users = users_for_emails(
            {row.cleaned["email"]: row.cleaned["full_name"] for row in preview.rows}
        )
        for row in preview.rows:
            data = row.cleaned
            details = DelegateDetails.from_data(
                {
                    **{k: v for k, v in data.items() if k not in ("member", "state")},
                    "attendance": data.get("attendance") or Attendance.IN_PERSON,
                }
            )
            try:
                delegate = register_delegate(
                    assembly=assembly,
                    details=details,
                    source=RegistrationSource.IMPORT,
                    member=data.get("member"),
                    by=by,
                    approve=data.get("state") == RegistrationState.APPROVED,
                    notify=False,
                    user=users[data["email"]],
                    render_badge=False,
                )
            except AlreadyRegistered:
                raise ImportInvalid(
                    _("Line %(line)s: %(email)s was registered meanwhile; nothing was imported.")
                    % {"line": row.line, "email": data["email"]}
                ) from None
            created.append(delegate)
        queue_emails([state_email(delegate) for delegate in created])
        badges_follow_on_commit(created)
    return created


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
