"""One-line text a person typed: the characters that may not stand in it."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

# Control characters and line or paragraph separators (U+2028, U+2029) break a badge's line, a
# CSV row or a visa letter. Format characters stay: ZWJ, ZWNJ and direction marks belong in
# Persian, Indic and Arabic names.
REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})

# Except the explicit embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they
# reorder what follows them up to their closing one, or to the end of the page, so "Ali
# \u202eevil.exe\u202c" prints as "Ali exe.live" and is found as "evil". The marks (LRM, RLM,
# ALM) only steer the characters next to them and stay.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

BROKEN_LINE = _("Remove the line breaks, tabs and control characters.")
TURNED_DIRECTION = _(
    "Remove the hidden text-direction overrides: they make the text show in another order "
    "than it was typed. Typing it again rather than pasting it removes them."
)


def breaks_one_line(text: str) -> bool:
    """Does the text hold a line break, a tab or another control character?"""
    return any(unicodedata.category(char) in REFUSED_CATEGORIES for char in text)


def turns_direction(text: str) -> bool:
    """Does the text hold a character that overrides, embeds or isolates a text direction?"""
    return not DIRECTION_CONTROLS.isdisjoint(text)


def one_line_problem(text: str) -> str:
    """What to remove from a text before it can stand as typed on one line; "" when nothing."""
    if breaks_one_line(text):
        return str(BROKEN_LINE)
    if turns_direction(text):
        return str(TURNED_DIRECTION)
    return ""


def refuse_unsafe_texts(form: forms.BaseForm) -> None:
    """Mark each cleaned text of the form that would not stand as typed: a one_line_problem in
    a one-line field, a direction override in a text area (its line breaks are its own)."""
    for name, value in list(form.cleaned_data.items()):
        field = form.fields.get(name)
        if not isinstance(value, str) or field is None:
            continue
        if not isinstance(field.widget, forms.Textarea):
            problem = one_line_problem(value)
        else:
            problem = str(TURNED_DIRECTION) if turns_direction(value) else ""
        if problem:
            form.add_error(name, problem)


def refuse_broken_lines(form: forms.Form, data: dict) -> None:
    """Mark each of the form's texts with a one_line_problem as an error on its field."""
    for name, value in list(data.items()):
        if isinstance(value, str) and (problem := one_line_problem(value)):
            form.add_error(name, problem)


# Opening quotation marks, straight and typographic, in the scripts the assemblies use.
OPENING_QUOTES = "\u201c\"\u00ab\u201e\u2018'\u300c\u300e\u2039\u201a"


def quoted(title: str) -> str:
    """The title in quotation marks, unless it opens with its own: “Hosangnori” cultural
    performance came out as ““Hosangnori” cultural performance”."""
    return title if title[:1] in OPENING_QUOTES else f"“{title}”"


def alphabetical(text: str) -> tuple[str, str]:
    """A sort key for names as a reader expects them: accents and case aside ("Český" among
    the Cs, "Österreichischer" among the Os, not after "Svenska"), the exact text breaking ties."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold(), text


# Letters that are not a base letter and an accent, so NFKD keeps them: as typed on a
# plain keyboard ("yilmaz" finds Yilmaz written with a dotless i, "lukasz" finds "Łukasz").
# desk.js folds alike.
_PLAIN_LETTERS = str.maketrans(
    {
        "\N{LATIN SMALL LETTER DOTLESS I}": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ŧ": "t",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)


def fold(text: str) -> str:
    """Text as a desk volunteer types it: any case, no accents ("perez" finds "Pérez"), and
    no hyphens, spaces or other punctuation ("kim seoyeon" and "seo-yeon" find "Kim Seo-yeon")."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return "".join(c for c in bare.translate(_PLAIN_LETTERS) if c.isalnum())
