"""Normal forms of what people type, so that the same person or member is found as the same."""

import unicodedata

from django import forms

MAX_EMAIL = 254  # RFC 5321's limit on a path, and the column's


def normal_text(text: str) -> str:
    """Composed (NFC): an "é" typed as e + accent is the "é" a search types."""
    return unicodedata.normalize("NFC", text)


def name_key(name: str) -> str:
    """A member's name as compared: composed, spaces of any kind as one space, any case."""
    return " ".join(normal_text(name).split()).casefold()


def normal_email(email: str) -> str:
    """One spelling per address: compatibility forms folded (full-width letters and at sign),
    lower case, and the domain in Unicode whichever way it came (müller.de, xn--mller-kva.de)."""
    email = unicodedata.normalize("NFKC", email).strip().lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    try:
        domain = domain.encode("idna").decode("idna")
    except UnicodeError:
        return email  # the validator says what is wrong with it
    return f"{local}@{domain}"


class NormalEmailField(forms.EmailField):
    """An email field that gives normal_email, refused past the column's 254 characters."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**{**kwargs, "max_length": MAX_EMAIL})

    def to_python(self, value: object) -> str:
        return normal_email(super().to_python(value))
