"""Writes of the core domain: API tokens, delegate magic links, staff roles."""

import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from sesame.utils import get_query_string

from assembly.errors import Forbidden, NotFound
from assembly.mail import urgent_connection
from assembly.models import STAFF_ROLES, ApiToken, Assembly, Role, StaffRole, hash_token
from assembly.selectors import may_hold_api_tokens

if TYPE_CHECKING:
    from registration.models import Delegate

User = get_user_model()
logger = logging.getLogger(__name__)

API_TOKEN_LIFETIME = timedelta(days=365)
MAGIC_LINK_SCOPE = "login"


def issue_api_token(
    *, user: AbstractBaseUser, name: str, lifetime: timedelta = API_TOKEN_LIFETIME
) -> tuple[ApiToken, str]:
    """Create a bearer token for a staff user; the raw value is returned once and never stored."""
    if not may_hold_api_tokens(user):
        raise Forbidden(_("Only staff members can hold API tokens."))
    raw = f"plen_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:100] or _("API token"),
        prefix=raw[:12],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + lifetime,
    )
    return token, raw


def revoke_api_token(*, token_id: int, by: AbstractBaseUser) -> ApiToken:
    """Revoke one of the user's own tokens (or any, for a superuser)."""
    tokens = ApiToken.objects.all() if by.is_superuser else ApiToken.objects.filter(user=by)
    try:
        token = tokens.get(pk=token_id)
    except ApiToken.DoesNotExist:
        raise NotFound(_("No such token.")) from None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# Desks send their token with every scan: a verified token is trusted for TOKEN_TTL seconds
# per process (one query less per scan). Revoking a token or withdrawing a staff role applies
# at once in this process, in the others within TOKEN_TTL.
TOKEN_TTL = 10.0
_verified_tokens: dict[str, tuple[AbstractBaseUser, float, datetime]] = {}


def forget_verified_tokens(**_kwargs: object) -> None:
    """Connected to saves of tokens and users in apps.py."""
    _verified_tokens.clear()


def user_for_api_token(raw: str) -> AbstractBaseUser | None:
    """The active token's user, or None for an unknown, revoked or expired token, or one whose
    user may no longer hold tokens (their last staff role withdrawn)."""
    key_hash = hash_token(raw)
    now = timezone.now()
    cached = _verified_tokens.get(key_hash)
    if cached is not None:
        user, checked_at, expires_at = cached
        if time.monotonic() - checked_at < TOKEN_TTL and now < expires_at:
            return user
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active or not may_hold_api_tokens(token.user):
        _verified_tokens.pop(key_hash, None)
        return None
    # One write a minute at most: desks call this on every scan.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if len(_verified_tokens) > 10_000:
        _verified_tokens.clear()
    _verified_tokens[key_hash] = (token.user, time.monotonic(), token.expires_at)
    return token.user


def magic_link_url(
    *, user: AbstractBaseUser, assembly: Assembly | None = None, next_path: str = ""
) -> str:
    """An absolute, signed, single-use, expiring login link for a delegate; next_path is the
    page it lands on (a lapsed session sent them to log in from there)."""
    path = reverse("magic-link")
    query = get_query_string(user, scope=MAGIC_LINK_SCOPE)
    if assembly is not None:
        query += f"&assembly={assembly.slug}"
    if next_path:
        query += "&" + urlencode({"next": next_path})
    return f"{settings.SITE_URL}{path}{query}"


def send_magic_link(*, email: str, assembly: Assembly | None = None, next_path: str = "") -> bool:
    """Email a login link to the delegate with this address; False when no delegate has it.

    An address on the registrations of two logins gets no link (which account it opened would
    be a guess): it is told to ask the secretariat. The caller answers the same either way, so
    the form does not reveal who is registered.
    """
    from registration.models import Delegate, RegistrationState
    from registration.normal import normal_email

    # As registration stored it: full-width letters, case and an ASCII-encoded domain folded.
    delegates = Delegate.objects.filter(
        email__iexact=normal_email(email), user__isnull=False
    ).exclude(state=RegistrationState.CANCELLED)
    if assembly is not None:
        delegates = delegates.filter(assembly=assembly)
    found = list(delegates.select_related("user", "assembly").order_by("-created_at"))
    if len({delegate.user_id for delegate in found}) > 1:
        refuse_shared_address(normal_email(email), found)
        return False
    delegate = found[0] if found else None
    if delegate is None or not delegate.user.is_active:
        return False
    link = magic_link_url(user=delegate.user, assembly=delegate.assembly, next_path=next_path)
    context = {
        "delegate": delegate,
        "assembly": delegate.assembly,
        "link": link,
        "hours": settings.SESAME_MAX_AGE // 3600,
    }
    send_mail(
        subject=_("Your login link for %(assembly)s") % {"assembly": delegate.assembly.name},
        message=render_to_string("emails/magic_link.txt", context),
        html_message=render_to_string("emails/magic_link.html", context),
        from_email=None,
        recipient_list=[delegate.email],
        connection=urgent_connection(),  # the delegate waits at the screen: ahead of bulk mail
    )
    return True


def refuse_shared_address(email: str, delegates: list["Delegate"]) -> None:
    """Tell the address it opens no account, and the log whose registrations share it."""
    logger.error(
        "No login link sent: %s is the address of registrations %s, of different logins",
        email,
        ", ".join(str(delegate.pk) for delegate in delegates),
    )
    contacts = sorted({d.assembly.contact_email or d.assembly.name for d in delegates})
    send_mail(
        subject=_("Your login link"),
        message=_(
            "This address is given on the registrations of more than one person, so we cannot "
            "tell whose account a login link should open, and sent none. Please ask the "
            "secretariat to correct the address (%(contact)s)."
        )
        % {"contact": ", ".join(contacts)},
        from_email=None,
        recipient_list=[email],
    )


def grant_staff_role(*, assembly: Assembly, user: AbstractBaseUser, role: Role) -> StaffRole:
    if role not in STAFF_ROLES:
        raise Forbidden(_("Delegates get their role from their registration."))
    with transaction.atomic():
        staff_role, _created = StaffRole.objects.get_or_create(
            assembly=assembly, user=user, role=role
        )
    return staff_role


def spend_magic_link(user: AbstractBaseUser) -> bool:
    """Spend the single-use link: only the request whose UPDATE still finds the last_login the
    token was signed with wins, so two phones confirming at once do not both log in."""
    unchanged = User.objects.filter(pk=user.pk)
    if user.last_login is None:
        unchanged = unchanged.filter(last_login__isnull=True)
    else:
        unchanged = unchanged.filter(last_login=user.last_login)
    return unchanged.update(last_login=timezone.now()) == 1
