"""App config for badge tokens, badge PDFs, check-in scans and desks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges and check-in")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from assembly.models import Assembly, Checkpoint, StaffRole
        from badges.api import forget_desk_roles
        from badges.selectors import forget_checkpoints

        post_save.connect(forget_desk_roles, sender=StaffRole, dispatch_uid="badges-roles")
        post_delete.connect(forget_desk_roles, sender=StaffRole, dispatch_uid="badges-d-roles")
        for model in (Assembly, Checkpoint):
            post_save.connect(forget_checkpoints, sender=model, dispatch_uid=f"badges-{model}")
            post_delete.connect(forget_checkpoints, sender=model, dispatch_uid=f"badges-d-{model}")
