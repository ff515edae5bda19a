"""The API's JSON bodies: an object, with text that can be stored (no NUL, no lone surrogate)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from assembly.errors import InvalidInput


def holds_nul(value: Any) -> bool:
    return holds_text(value, lambda text: "\x00" in text)


def holds_lone_surrogate(value: Any) -> bool:
    """JSON may escape half of a surrogate pair ("\\ud800"); no UTF-8 text, and so no database
    column, can hold one."""
    return holds_text(value, lambda text: not text.isascii() and not encodes(text))


def encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def holds_text(value: Any, test: Callable[[str], bool]) -> bool:
    """Whether a text anywhere in the value (keys too) passes test."""
    if isinstance(value, str):
        return test(value)
    if isinstance(value, dict):
        return any(holds_text(key, test) or holds_text(item, test) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_text(item, test) for item in value)
    return False


class ObjectParser(Parser):
    """Every body of the API is a JSON object: a list, a number or null is refused, not read
    as an object with every field at its default (which cleared an attention flag)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise InvalidInput(_("Send a JSON object."))
        if holds_nul(data):
            raise InvalidInput(_("Text cannot contain NUL characters."))
        if holds_lone_surrogate(data):
            raise InvalidInput(_("Text cannot contain a lone surrogate (such as \\ud800)."))
        return data
