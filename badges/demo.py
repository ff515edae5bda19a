"""The badges app's part of the demo assembly."""

from assembly.models import Assembly


def load(assembly: Assembly) -> None:
    """Nothing of this app is in the demo until its issue lands."""
