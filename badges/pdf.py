"""Badge PDFs with WeasyPrint: many badges in one HTML document, one parsed stylesheet and fonts."""

import contextlib
import hashlib
import io
import math
import multiprocessing
import os
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import qrcode
import qrcode.constants
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _

from badges.models import BatchLayout
from badges.pdf_render import QR_SCHEME, render_html, render_html_apart, start_worker, warm_up
from badges.pdf_render import qr_png as qr_png  # the desk's camera test shows badges' codes
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


def text_direction(text: str) -> str:
    """dir=auto by hand (WeasyPrint ignores it): rtl when the first letter is Arabic or Hebrew."""
    for char in text:
        if char.isalpha():
            return "rtl" if unicodedata.bidirectional(char) in ("R", "AL") else "ltr"
    return "ltr"


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
        return text_direction(self.name)

    @property
    def title_direction(self) -> str:
        return text_direction(self.title)

    @property
    def organization_direction(self) -> str:
        return text_direction(self.organization)

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


def qr_version(token: str, level: int) -> int:
    code = qrcode.QRCode(error_correction=level)
    code.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    return int(code.version)


# Documents with fewer badges render in the calling process: a worker round trip costs more.
PARALLEL_FROM = 40
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
# Submitting may start a worker, which waits until the fork server has imported WeasyPrint
# and forked it (half a second on a cold start): one thread of ours submits, in order, and
# the caller goes on gathering faces or rendering meanwhile.
_submitter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="badge-pdf-submit")
_warm_ups: Future[list[Future]] | None = None  # submitted by start_workers_for
_stopped = False  # by stop_workers: the server is stopping
_retired: list[ProcessPoolExecutor] = []  # pools shut down, kept for their manager threads


def pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes kept for the life of this process, and not a moment longer.

    They fork from a server process started afresh (no thread or connection of ours) that
    has imported WeasyPrint once: each worker starts without importing it again. Each
    watches this process and exits when it ends, however it ends.
    """
    global _pool
    with _pool_lock:
        if _stopped:
            raise RuntimeError("The server is stopping: no badge PDF workers start.")
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["badges.pdf_render"])
            _pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=start_worker,
                initargs=(os.getpid(),),
            )
        return _pool


def stop_workers() -> None:
    """The server stops: parts not yet started are dropped, the workers end once the part
    they are rendering is done, and no document starts them again."""
    global _stopped
    with _pool_lock:
        _stopped = True
    _drop_pool()


def start_workers_for(count: int, *, workers: int | None = None) -> None:
    """Start the worker processes a document of count badges will use, without waiting.

    The fork server imports WeasyPrint (half a second) and the workers load fonts while
    the caller gathers faces.
    """
    global _warm_ups
    workers = settings.BADGE_PDF_WORKERS if workers is None else workers
    if workers > 1 and count >= PARALLEL_FROM and _warm_ups is None:
        _warm_ups = _submit_later(workers, warm_up, [()] * workers)


def _workers_ready() -> bool:
    """The workers have started and loaded their fonts and stylesheets."""
    warm_ups = _warm_ups
    if warm_ups is None or not warm_ups.done() or warm_ups.exception() is not None:
        return False
    return all(future.done() for future in warm_ups.result())


def _submit_later(
    workers: int, function: Callable[..., object], argument_lists: list[tuple]
) -> Future[list[Future]]:
    """Submit function once per argument list from our submitting thread: the futures later."""
    return _submitter.submit(
        lambda: [_submit(workers, function, *arguments) for arguments in argument_lists]
    )


def _submit(workers: int, function: Callable[..., object], *args: object) -> Future:
    """Submit to the pool; one found broken since its last use is replaced (nothing was lost)."""
    try:
        return pool(workers).submit(function, *args)
    except BrokenProcessPool:
        _drop_pool()
        return pool(workers).submit(function, *args)


def _drop_pool() -> None:
    """A worker died (killed, out of memory) or the server stops: the pool's parts not yet
    started are cancelled, and the next document (if any) starts a new pool."""
    global _pool, _warm_ups
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            # The pool's manager thread cancels the parts only while it can still reach the
            # pool (a weak reference): freed at once, its parts all rendered, and after
            # Ctrl+C the interpreter's exit waited for them.
            _retired.append(_pool)
        _pool = None
        _warm_ups = None


def _photo_uri(face: BadgeFace) -> str:
    return Path(face.photo).as_uri() if face.photo and Path(face.photo).exists() else ""


def _html(faces: list[BadgeFace], layout: str) -> str:
    sheet_of_four = layout == BatchLayout.A4_SHEET
    items = [
        {
            "face": face,
            "place": f"cell-{index % 4}" if sheet_of_four else "page-a6",
            "qr": QR_SCHEME + face.token,
            "photo": _photo_uri(face),
        }
        for index, face in enumerate(faces)
    ]
    context = {"scan_hint": _("Scan at the desk"), "role_colours": ROLE_COLOURS.items()}
    if sheet_of_four:
        sheets = [items[i : i + 4] for i in range(0, len(items), 4)]
        return render_to_string("badges/pdf/sheets.html", {**context, "sheets": sheets})
    return render_to_string("badges/pdf/badges.html", {**context, "items": items})


def _parts(
    faces: list[BadgeFace], *, layout: str, workers: int, chunk: int, own_part: bool = False
) -> list[list[BadgeFace]]:
    """Equal parts of at most chunk badges, as many as a multiple of the workers (and one
    more for the calling process when own_part).

    Equal parts keep every worker busy to the end; whole sheets of four stay together.
    """
    unit = 4 if layout == BatchLayout.A4_SHEET else 1
    count = own_part + workers * math.ceil(len(faces) / (workers * max(chunk, unit)))
    size = math.ceil(len(faces) / count / unit) * unit
    return [faces[i : i + size] for i in range(0, len(faces), size)]


def render_faces(
    faces: list[BadgeFace],
    *,
    layout: str = BatchLayout.A6,
    workers: int | None = None,
    chunk: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> bytes:
    """One PDF with every face: A6 pages, or A4 sheets of four with crop marks.

    Documents of PARALLEL_FROM badges or more are cut into parts of at most chunk
    (BADGE_BATCH_CHUNK) badges, rendered BADGE_PDF_WORKERS at a time by worker
    processes, and merged in order. progress(done) is called as each part arrives.

    While the workers start (the fork server imports WeasyPrint for half a second before
    it forks them, and each loads fonts), the calling process renders the first part
    itself: its core would wait idle meanwhile.
    """
    workers = settings.BADGE_PDF_WORKERS if workers is None else workers
    chunk = chunk or settings.BADGE_BATCH_CHUNK
    if workers <= 1 or len(faces) < PARALLEL_FROM:
        content = render_html(_html(faces, layout))
        if progress is not None:
            progress(len(faces))
        return content
    start_workers_for(len(faces), workers=workers)
    own_part = not _workers_ready()
    parts = _parts(faces, layout=layout, workers=workers, chunk=chunk, own_part=own_part)
    # Written here, in the caller's thread: its language and its template engine.
    pages = [_html(part, layout) for part in parts]
    submitted = _submit_later(workers, render_html, [(html,) for html in pages[own_part:]])
    try:
        contents: list[Callable[[], bytes]] = []
        if own_part:
            first = render_html(pages[0])
            contents.append(lambda: first)
        contents += [future.result for future in submitted.result()]
        return merge_pdfs(_arrivals(parts, contents, progress))
    except BrokenProcessPool:
        _drop_pool()
        raise
    finally:
        _cancel(submitted)


def render_faces_apart(faces: list[BadgeFace]) -> list[bytes]:
    """Each face's own A6 PDF, the faces laid out together (one parse, one layout pass).

    A face that took more than one page (a name no font size fits) has each face rendered
    on its own instead, so every PDF holds its own badge whole.
    """
    if not faces:
        return []
    contents = render_html_apart(_html(faces, BatchLayout.A6))
    if len(contents) != len(faces):
        return [render_html(_html([face], BatchLayout.A6)) for face in faces]
    return contents


def _cancel(submitted: Future[list[Future]]) -> None:
    """Parts not yet rendered are dropped: the document is done, or has failed."""
    with contextlib.suppress(Exception):  # the submitting failed: nothing to drop
        for future in submitted.result():
            future.cancel()


def _arrivals(
    parts: list[list[BadgeFace]],
    contents: list[Callable[[], bytes]],
    progress: Callable[[int], object] | None,
) -> Iterator[bytes]:
    """Each part's PDF in order as it arrives, so merging overlaps the rendering of the rest."""
    done = 0
    for part, content_of in zip(parts, contents, strict=True):
        content = content_of()
        done += len(part)
        if progress is not None:
            progress(done)
        yield content


def merge_pdfs(parts: Iterable[bytes]) -> bytes:
    """The parts' pages in order, in the first part's document (its title and producer).

    qpdf (pikepdf) copies the pages as they arrive and writes the streams as they are,
    several times faster than pypdf; a part's stream data is read when the whole is saved.
    """
    import pikepdf

    parts = iter(parts)
    merged = pikepdf.open(io.BytesIO(next(parts)))
    sources = [merged]
    for part in parts:
        source = pikepdf.open(io.BytesIO(part))
        sources.append(source)
        merged.pages.extend(source.pages)
    out = io.BytesIO()
    merged.save(out)
    for source in sources:
        source.close()
    return out.getvalue()
