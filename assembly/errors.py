"""Domain errors with stable codes; the API maps them to {"code", "detail"}, pages show detail."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the assembly refused an operation; nothing was changed."""

    code: str = "domain_error"
    status: int = 400
    default_detail = _("The operation was refused.")

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        self.detail = str(detail if detail is not None else self.default_detail)
        if code is not None:
            self.code = code
        super().__init__(self.detail)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_detail = _("Not found.")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    default_detail = _("Your role does not allow this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_detail = _("This conflicts with the current state.")


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422
    default_detail = _("The input is not valid.")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_detail = _("Too many attempts. Please wait a little and try again.")
