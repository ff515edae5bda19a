"""Inclusion tags for the core role pages: a delegate's to-do list and tours."""

from django import template

from registration.models import Delegate
from registration.selectors import delegate_todo, tour_signups_for

register = template.Library()


@register.inclusion_tag("registration/_todo_list.html")
def registration_todo(delegate: Delegate | None) -> dict:
    return {"todo": delegate_todo(delegate) if delegate else [], "delegate": delegate}


@register.inclusion_tag("registration/_my_tours.html")
def my_tours(delegate: Delegate | None) -> dict:
    signups = tour_signups_for(delegate) if delegate else []
    return {
        "delegate": delegate,
        "signups": [{"s": s, "start": s.starts_at, "end": s.ends_at} for s in signups],
    }
