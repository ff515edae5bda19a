"""Filters for text printed on badges."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Hangul syllables and jamo. Korean breaks lines between words, not between syllables; the
# PDF renderer knows no `word-break: keep-all` and broke "김서연" into "김서" and "연".
HANGUL_WORD = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]+")


@register.filter
def hangul_words_whole(text: str) -> SafeString:
    """The text, escaped, with each Hangul word in a span that the line does not break."""
    escaped = str(conditional_escape(text))
    return mark_safe(  # noqa: S308 - built from escaped text and a fixed tag
        HANGUL_WORD.sub(lambda word: f'<span class="word">{word.group()}</span>', escaped)
    )
