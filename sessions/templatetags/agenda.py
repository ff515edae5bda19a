"""Times in the assembly's zone with their offset (switchable to the viewer's zone in JS)."""

from datetime import datetime

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from assembly.models import Assembly
from registration.models import Delegate

register = template.Library()


def offset_label(moment: datetime) -> str:
    offset = moment.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


@register.filter
def local(moment: datetime, assembly: Assembly) -> datetime:
    return moment.astimezone(assembly.zone)


def days_after(moment: datetime, since: datetime, assembly: Assembly) -> int:
    zone = assembly.zone
    return (moment.astimezone(zone).date() - since.astimezone(zone).date()).days


@register.simple_tag
def day_after(since: datetime, moment: datetime, assembly: Assembly) -> str:
    """' (+1 day)' when the moment (a session's end) is on a later local day than `since`."""
    days = days_after(moment, since, assembly)
    if days <= 0:
        return ""
    return " (" + ngettext("+%(n)d day", "+%(n)d days", days) % {"n": days} + ")"


@register.simple_tag
def clock(
    moment: datetime, assembly: Assembly, with_day: bool = False, since: datetime | None = None
) -> SafeString:
    """<time> in the assembly's local time; data-ts lets the switch re-render it, data-date
    tells it the assembly's day the page files it under, data-since the start of a range
    (an end on a later day says so: "02:30 (+1 day)")."""
    local_moment = moment.astimezone(assembly.zone)
    text = formats.time_format(local_moment, "H:i")
    if with_day:
        text = f"{formats.date_format(local_moment, 'D j M')}, {text}"
    if since is not None:
        text += day_after(since, moment, assembly)
    return format_html(
        '<time datetime="{}" data-ts="{}" data-day="{}" data-date="{}"{}>{}</time>',
        local_moment.isoformat(),
        int(moment.timestamp() * 1000),
        "1" if with_day else "",
        local_moment.date().isoformat(),
        format_html(' data-since="{}"', int(since.timestamp() * 1000)) if since else "",
        text,
    )


def offset_span(moment: datetime) -> SafeString:
    return format_html('<span class="tz-offset" data-tz-offset>{}</span>', offset_label(moment))


@register.simple_tag
def time_range(starts: datetime, ends: datetime, assembly: Assembly, with_day: bool = False):
    """'09:30 to 12:30 UTC+09:00', the offset taken at the start (it names DST in Europe);
    across a change of offset each end has its own: '01:30 UTC+13:00 to 04:00 UTC+12:00'."""
    start_offset = offset_span(starts.astimezone(assembly.zone))
    end_offset = offset_span(ends.astimezone(assembly.zone))
    if start_offset == end_offset:
        return format_html(
            "{}\u2013{} {}",
            clock(starts, assembly, with_day),
            clock(ends, assembly, since=starts),
            start_offset,
        )
    # The end and its offset share a parent, so the zone switch reads the end's own instant.
    return format_html(
        '{} {}\u2013<span class="tz-end">{} {}</span>',
        clock(starts, assembly, with_day),
        start_offset,
        clock(ends, assembly, since=starts),
        end_offset,
    )


@register.inclusion_tag("agenda/_delegate_agenda.html")
def delegate_agenda(assembly: Assembly, delegate: Delegate | None) -> dict[str, object]:
    from django.utils import timezone

    from sessions.selectors import personal_entries

    entries = []
    if delegate is not None:
        now = timezone.now()
        entries = [e for e in personal_entries(delegate) if e.ends_at > now][:3]
    return {"assembly": assembly, "delegate": delegate, "entries": entries}
