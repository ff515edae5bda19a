"""Badge PDFs with WeasyPrint: many badges in one HTML document, one parsed stylesheet and fonts."""

import base64
import hashlib
import io
import math
import multiprocessing
import threading
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.constants
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _

from badges.models import BatchLayout
from badges.pdf_render import render_html
from registration.models import Delegate, DelegateRole

# Band colours by role; white text on each keeps a contrast of at least 7:1.
ROLE_COLOURS = {
    DelegateRole.VOTING_DELEGATE: "#0b4f8a",
    DelegateRole.ALTERNATE: "#1d5e5a",
    DelegateRole.OBSERVER: "#5a3d7a",
    DelegateRole.GUEST: "#4a5866",
    DelegateRole.PRESS: "#8a1c1c",
    DelegateRole.STAFF: "#16202b",
}


@dataclass(frozen=True)
class BadgeFace:
    """What is printed on one badge; its fingerprint decides when to render again."""

    name: str
    title: str
    organization: str
    country: str
    role: str
    role_label: str
    colour: str
    photo: str
    token: str
    assembly_name: str
    dates: str
    venue: str

    @property
    def name_direction(self) -> str:
        """WeasyPrint ignores dir=auto: a name starting in Arabic or Hebrew is set right to left."""
        for char in self.name:
            if char.isalpha():
                return "rtl" if unicodedata.bidirectional(char) in ("R", "AL") else "ltr"
        return "ltr"

    def fingerprint(self) -> str:
        photo_stamp = ""
        if self.photo:
            path = Path(self.photo)
            photo_stamp = f"{path}:{path.stat().st_mtime_ns}" if path.exists() else self.photo
        fields = [*(str(value) for value in self.__dict__.values()), photo_stamp]
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def face_for(*, delegate: Delegate, token: str) -> BadgeFace:
    assembly = delegate.assembly
    photo = ""
    if delegate.photo:
        try:
            photo = delegate.photo.path
        except (NotImplementedError, ValueError):
            # Storages without local files (object stores) and missing files: the badge then
            # prints the initials panel instead of a photo.
            photo = ""
    start = formats.date_format(assembly.start_date, "j N Y")
    end = formats.date_format(assembly.end_date, "j N Y")
    return BadgeFace(
        name=delegate.full_name,
        title=delegate.title,
        organization=delegate.organization_label,
        country=delegate.country,
        role=delegate.role,
        role_label=str(delegate.get_role_display()),
        colour=ROLE_COLOURS.get(delegate.role, "#16202b"),
        photo=photo,
        token=token,
        assembly_name=assembly.name,
        dates=start if start == end else f"{start} \u2013 {end}",
        venue=f"{assembly.venue}, {assembly.city}",
    )


@lru_cache(maxsize=4096)
def qr_png(token: str, *, box_size: int = 4) -> bytes:
    """The token as a level-M QR code (alphanumeric mode) in a small PNG; cached per token.

    A fixed mask pattern skips qrcode's trial of all eight masks (two thirds of its time);
    any mask gives a valid code.
    """
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=box_size,
        border=4,
        mask_pattern=2,
    )
    code.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_version(token: str, level: int) -> int:
    code = qrcode.QRCode(error_correction=level)
    code.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    return int(code.version)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# Documents with fewer badges render in the calling process: a worker round trip costs more.
PARALLEL_FROM = 40
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes kept for the life of this process (spawned: no inherited threads)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn")
            )
        return _pool


def _html(faces: list[BadgeFace], layout: str) -> str:
    items = [
        {
            "face": face,
            "qr": data_uri(qr_png(face.token)),
            "photo": Path(face.photo).as_uri() if face.photo and Path(face.photo).exists() else "",
        }
        for face in faces
    ]
    hint = _("Scan at the desk")
    if layout == BatchLayout.A4_SHEET:
        sheets = [items[i : i + 4] for i in range(0, len(items), 4)]
        return render_to_string("badges/pdf/sheets.html", {"sheets": sheets, "scan_hint": hint})
    return render_to_string("badges/pdf/badges.html", {"items": items, "scan_hint": hint})


def render_faces(
    faces: list[BadgeFace], *, layout: str = BatchLayout.A6, workers: int | None = None
) -> bytes:
    """One PDF with every face: A6 pages, or A4 sheets of four with crop marks.

    Large documents are cut into one part per worker process (BADGE_PDF_WORKERS), each
    one WeasyPrint document, and the parts merged in order.
    """
    workers = settings.BADGE_PDF_WORKERS if workers is None else workers
    if workers <= 1 or len(faces) < PARALLEL_FROM:
        return render_html(_html(faces, layout))
    unit = 4 if layout == BatchLayout.A4_SHEET else 1
    size = math.ceil(len(faces) / workers / unit) * unit
    documents = [_html(faces[i : i + size], layout) for i in range(0, len(faces), size)]
    return merge_pdfs(list(pool(workers).map(render_html, documents)))


def merge_pdfs(parts: list[bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
