"""Every page function in voting/views.py is reachable: no view is left behind unrouted."""

import inspect

from django.urls import URLPattern, URLResolver, get_resolver

from voting import views


def routed_callbacks(patterns) -> set:
    found = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found |= routed_callbacks(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            found.add(inspect.unwrap(entry.callback))
    return found


def public_pages() -> dict:
    """Functions of the module taking the request first, the way a page does."""
    return {
        name: inspect.unwrap(fn)
        for name, fn in inspect.getmembers(views, inspect.isfunction)
        if fn.__module__ == views.__name__
        and not name.startswith("_")
        and next(iter(inspect.signature(inspect.unwrap(fn)).parameters), "") == "request"
    }


def test_every_page_function_of_the_voting_views_is_routed():
    routed = routed_callbacks(get_resolver().url_patterns)
    unrouted = sorted(name for name, fn in public_pages().items() if fn not in routed)
    assert unrouted == []
