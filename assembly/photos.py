"""Photos: never public media (badge PDFs share MEDIA_ROOT), each served behind its own check."""

import hashlib
import mimetypes

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from assembly.models import STAFF_ROLES
from assembly.selectors import roles_for
from assembly.services import user_for_api_token


def photo_address(route: str, pk: int, photo: FieldFile) -> str:
    """The photo's address; it changes with the file, so browsers may keep it for a day."""
    if not photo:
        return ""
    version = hashlib.sha256(photo.name.encode()).hexdigest()[:12]
    return f"{reverse(route, args=[pk])}?v={version}"


def _caller(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_for_api_token(header.removeprefix("Bearer ").strip())
    return request.user if request.user.is_authenticated else None


def _serve(photo: FieldFile, *, public: bool) -> HttpResponse:
    try:
        handle = photo.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(photo.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def delegate_photo(request: HttpRequest, delegate_id: int) -> HttpResponse:
    """For the delegate and the assembly's staff (desks check faces); 404 for anyone else."""
    from registration.models import Delegate

    delegate = Delegate.objects.select_related("assembly").filter(pk=delegate_id).first()
    user = _caller(request)
    if delegate is None or not delegate.photo or user is None:
        raise Http404
    if delegate.user_id != user.pk and not (
        roles_for(user=user, assembly=delegate.assembly) & STAFF_ROLES
    ):
        raise Http404
    return _serve(delegate.photo, public=False)


@require_GET
def speaker_photo(request: HttpRequest, speaker_id: int) -> HttpResponse:
    """Public, as the speaker's page is."""
    from sessions.models import Speaker

    speaker = Speaker.objects.filter(pk=speaker_id).first()
    if speaker is None or not speaker.photo:
        raise Http404
    return _serve(speaker.photo, public=True)
