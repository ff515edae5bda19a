"""App config for the project package and core domain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssemblyConfig(AppConfig):
    name = "assembly"
    verbose_name = _("Assembly")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from assembly.models import ApiToken, StaffRole
        from assembly.services import forget_verified_tokens

        # A token works while its user may hold one: a withdrawn staff role ends it too.
        for model in (ApiToken, StaffRole, get_user_model()):
            post_save.connect(forget_verified_tokens, sender=model, dispatch_uid=f"tokens-{model}")
            post_delete.connect(
                forget_verified_tokens, sender=model, dispatch_uid=f"tokens-d-{model}"
            )
