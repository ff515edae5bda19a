"""Voting: presence of delegates at the voting checkpoint (more models arrive with polls)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly
from registration.models import Delegate


class DelegatePresence(models.Model):
    """Whether a delegate counts as present for quorum: in the hall (scans) or online."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="presences")
    delegate = models.OneToOneField(Delegate, on_delete=models.CASCADE, related_name="presence")
    in_hall = models.BooleanField(_("in the plenary hall"), default=False)
    online = models.BooleanField(_("present online"), default=False)
    online_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("last change"))

    class Meta:
        verbose_name = _("delegate presence")
        verbose_name_plural = _("delegate presences")
        indexes = [models.Index(fields=["assembly", "in_hall", "online"])]

    def __str__(self) -> str:
        return f"{self.delegate}: {'in' if self.in_hall else 'out'}"
