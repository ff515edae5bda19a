"""The API's JSON bodies: an object, with no NUL in any text (PostgreSQL cannot store one)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from assembly.errors import InvalidInput


def holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
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
        return data
