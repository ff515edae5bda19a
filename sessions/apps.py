"""App config for the agenda; its label is "agenda" because "sessions" is Django's."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "sessions"
    label = "agenda"
    verbose_name = _("Agenda")
