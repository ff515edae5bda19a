"""The secretariat's move form: local date and times in the assembly's zone."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly
from sessions.models import Room, Session
from sessions.rules import LAST_NIGHT_ENDS


class MoveSessionForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: object, assembly: Assembly, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.assembly = assembly
        self.fields["room"].queryset = Room.objects.filter(assembly=assembly)

    @classmethod
    def initial_for(cls, session: Session) -> dict[str, object]:
        zone = session.assembly.zone
        starts = session.starts_at.astimezone(zone)
        ends = session.ends_at.astimezone(zone)
        return {
            "room": session.room,
            "day": starts.date(),
            "starts": starts.time(),
            "ends": ends.time(),
        }

    def aware_times(self) -> tuple[datetime, datetime]:
        """The local wall times as aware datetimes. An end earlier than the start, in the small
        hours (or at midnight), is on the next day: a session from 22:30 to 02:30 crosses
        midnight; 16:00 to 15:00 stays the error the service names."""
        zone = self.assembly.zone
        day = self.cleaned_data["day"]
        starts_time, ends_time = self.cleaned_data["starts"], self.cleaned_data["ends"]
        starts = datetime.combine(day, starts_time, tzinfo=zone)
        overnight = ends_time < starts_time and ends_time <= LAST_NIGHT_ENDS
        ends_day = day + timedelta(days=1) if overnight or ends_time == time.min else day
        return starts, datetime.combine(ends_day, ends_time, tzinfo=zone)
