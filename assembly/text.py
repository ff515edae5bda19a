"""One-line text a person typed: the characters that may not stand in it."""

import unicodedata

from django import forms
from django.utils.translation import gettext as _

# Control characters and line or paragraph separators (U+2028, U+2029) break a badge's line, a
# CSV row or a visa letter. Format characters stay: ZWJ, ZWNJ and direction marks belong in
# Persian, Indic and Arabic names.
REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def breaks_one_line(text: str) -> bool:
    """Does the text hold a line break, a tab or another control character?"""
    return any(unicodedata.category(char) in REFUSED_CATEGORIES for char in text)


def refuse_broken_lines(form: forms.Form, data: dict) -> None:
    """Mark each of the form's texts that breaks_one_line as an error on its field."""
    for name, value in list(data.items()):
        if isinstance(value, str) and breaks_one_line(value):
            form.add_error(name, _("Remove the line breaks, tabs and control characters."))


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
