"""Locale-aware number formatting for templates without pulling in all of humanize."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def intcomma_l10n(value: object) -> str:
    """A whole number with the locale's thousands separator: 9400000 -> 9,400,000."""
    if value is None or value == "":
        return ""
    return number_format(value, force_grouping=True)
