"""The secretariat's move form: local date and times in the assembly's zone."""

from datetime import datetime, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly
from sessions.models import Room, Session


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
        """The local wall times as aware datetimes; an end at or before the start ends next day
        only when it is midnight (00:00), otherwise it is the error the service names."""
        zone = self.assembly.zone
        day = self.cleaned_data["day"]
        starts = datetime.combine(day, self.cleaned_data["starts"], tzinfo=zone)
        ends = datetime.combine(day, self.cleaned_data["ends"], tzinfo=zone)
        if self.cleaned_data["ends"].hour == 0 and self.cleaned_data["ends"].minute == 0:
            ends += timedelta(days=1)
        return starts, ends
