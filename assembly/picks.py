"""Search-then-pick fields: a short list to choose from, or a typed name resolved to one row."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from assembly.models import MemberOrganization
from assembly.text import alphabetical, fold

Row = TypeVar("Row")

# The search-then-pick fields (templates/assembly/_pick.html): a list this short stays a
# <select>; a longer one is a text field, and a typed name shows this many matches at most.
SELECT_AT_MOST = 30
MATCHES_SHOWN = 20


@dataclass
class Matches(Generic[Row]):
    """What a typed name found: the first MATCHES_SHOWN in alphabetical order, and how many."""

    found: list[Row]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.found)

    @property
    def one(self) -> Row | None:
        return self.found[0] if self.total == 1 else None


def short_list(rows: QuerySet[Row]) -> list[Row] | None:
    """All the rows when a <select> of them is short enough to scroll, else None (one query)."""
    first = list(rows[: SELECT_AT_MOST + 1])
    return first if len(first) <= SELECT_AT_MOST else None


def first_matches(rows: QuerySet[Row], hits: list[tuple[tuple[str, str], int]]) -> Matches[Row]:
    shown = [pk for _key, pk in sorted(hits)[:MATCHES_SHOWN]]
    by_pk = rows.in_bulk(shown)
    return Matches(found=[by_pk[pk] for pk in shown], total=len(hits))


def members_matching(
    *, members: QuerySet[MemberOrganization], text: str
) -> Matches[MemberOrganization]:
    """The members among `members` whose name holds the typed text, as fold() reads it."""
    needle = fold(text)
    if not needle:
        return Matches(found=[], total=0)
    hits = [
        (alphabetical(name), pk)
        for pk, name in members.values_list("pk", "name")
        if needle in fold(name)
    ]
    return first_matches(members, hits)


def unmatched(matches: Matches[Any], text: str) -> str:
    """Why a typed name names nobody yet, in words for the field ("" when it names one)."""
    if matches.one is not None:
        return ""
    if not text.strip():
        return _("Type a name, then choose.")
    if not matches.total:
        return _("Nothing matches “%(text)s”: check the spelling, or type less of it.") % {
            "text": text.strip()[:60]
        }
    return _("%(n)s names match “%(text)s”: choose one below, or type more of it.") % {
        "n": matches.total,
        "text": text.strip()[:60],
    }


@dataclass
class Pick:
    """One search-then-pick field as templates/assembly/_pick.html shows it: a <select> of
    `options` when short, else the text field `<name>_name` with the matches to choose from."""

    name: str  # the posted id, from the <select> or a chosen match
    label: str
    options: list[Any] | None
    kind: str = "delegate"  # or "member": how a row reads
    text: str = ""
    matches: Matches[Any] | None = None
    error: str = ""
    field_id: str = ""  # the <select>'s or text field's id; pick-<name> unless given
    hint_id: str = ""  # a hint the page shows before the field
    empty: str = ""  # what the <select> says when there is nothing to choose

    def __post_init__(self) -> None:
        self.field_id = self.field_id or f"pick-{self.name}"

    def resolve(self, matches: Matches[Any]) -> Any:
        """The one row the typed text names, else None with the matches and why kept."""
        self.matches, self.error = matches, unmatched(matches, self.text)
        return matches.one
